import type { AppContext } from '../../server/context';

/** A further piece of a published story, for the public page. */
export interface PublicPiece {
  outlet: string;
  url: string;
  date: Date;
  /** i18n key of its format (article, TV segment, …). */
  formatLabel: string;
}

/** A line on the award page from another module (its pieces and their reach), with an optional warning. */
export interface AwardPanel {
  href: string;
  /** i18n keys */
  label: string;
  warning?: string;
}

/**
 * What modules that build on awards may add without awards importing them (impact imports awards).
 * `publicPieces` must return only pieces their journalist agreed to list.
 */
export interface AwardsExtension {
  publicPieces?: (ctx: AppContext, awardIds: string[]) => Promise<Map<string, PublicPiece[]>>;
  awardPanel?: (ctx: AppContext, awardId: string) => Promise<AwardPanel | undefined>;
}

const extensions: AwardsExtension[] = [];

export function extendAwards(ext: AwardsExtension): void {
  extensions.push(ext);
}

export async function publicPiecesOf(ctx: AppContext, awardIds: string[]) {
  const all = new Map<string, PublicPiece[]>();
  for (const e of extensions) {
    if (!e.publicPieces) continue;
    for (const [id, list] of await e.publicPieces(ctx, awardIds))
      all.set(id, [...(all.get(id) ?? []), ...list]);
  }
  return all;
}

export async function awardPanels(ctx: AppContext, awardId: string): Promise<AwardPanel[]> {
  const panels: AwardPanel[] = [];
  for (const e of extensions) {
    const p = await e.awardPanel?.(ctx, awardId);
    if (p) panels.push(p);
  }
  return panels;
}
