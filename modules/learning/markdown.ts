import { marked, type Token, type Tokens } from 'marked';

/**
 * Markdown becomes a tree of safe nodes that views render with escaped output only: the tag names come
 * from this file's whitelist, text is always text, and links keep only http(s), mailto and in-app
 * targets. Raw HTML in the source is shown as text, never interpreted.
 */
export interface SafeNode {
  tag: string;
  text?: string;
  href?: string;
  /** ordered-list start, table-cell alignment */
  start?: number;
  align?: 'left' | 'right' | 'center';
  scope?: 'col' | 'row';
  children?: SafeNode[];
}

const text = (value: string): SafeNode => ({ tag: '#text', text: value });

/** Only links a reader can follow safely; anything else is dropped and its text kept. */
export function safeHref(href: string | undefined): string | undefined {
  if (!href) return undefined;
  const trimmed = href.trim();
  // Strip control characters and whitespace a browser would ignore inside a scheme ("java\tscript:").
  const probe = [...trimmed]
    .filter((c) => c.charCodeAt(0) > 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .toLowerCase();
  if (/^(https?:|mailto:)/.test(probe)) return trimmed;
  if (/^[a-z][a-z0-9+.-]*:/.test(probe)) return undefined;
  if (probe.startsWith('//')) return undefined;
  if (/^[/#?]/.test(probe) || /^[a-z0-9._-]/.test(probe)) return trimmed;
  return undefined;
}

function inline(tokens: Token[] | undefined): SafeNode[] {
  const out: SafeNode[] = [];
  for (const token of tokens ?? []) {
    switch (token.type) {
      case 'strong':
        out.push({ tag: 'strong', children: inline((token as Tokens.Strong).tokens) });
        break;
      case 'em':
        out.push({ tag: 'em', children: inline((token as Tokens.Em).tokens) });
        break;
      case 'del':
        out.push({ tag: 'del', children: inline((token as Tokens.Del).tokens) });
        break;
      case 'codespan':
        out.push({ tag: 'code', children: [text((token as Tokens.Codespan).text)] });
        break;
      case 'br':
        out.push({ tag: 'br' });
        break;
      case 'link': {
        const link = token as Tokens.Link;
        const href = safeHref(link.href);
        const children = inline(link.tokens);
        out.push(href ? { tag: 'a', href, children } : { tag: 'span', children });
        break;
      }
      case 'image': {
        // Images belong in image blocks with bilingual alt text; inline ones show their alt text.
        out.push(text((token as Tokens.Image).text));
        break;
      }
      case 'text': {
        const t = token as Tokens.Text;
        out.push(...(t.tokens ? inline(t.tokens) : [text(t.text)]));
        break;
      }
      default:
        out.push(text('raw' in token ? String(token.raw) : ''));
    }
  }
  return out;
}

function block(tokens: Token[]): SafeNode[] {
  const out: SafeNode[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case 'space':
        break;
      case 'heading': {
        const h = token as Tokens.Heading;
        // The page owns h1; lesson headings start at h2.
        const level = Math.min(Math.max(h.depth, 2), 4);
        out.push({ tag: `h${level}`, children: inline(h.tokens) });
        break;
      }
      case 'paragraph':
        out.push({ tag: 'p', children: inline((token as Tokens.Paragraph).tokens) });
        break;
      case 'text': {
        const t = token as Tokens.Text;
        out.push({ tag: 'p', children: t.tokens ? inline(t.tokens) : [text(t.text)] });
        break;
      }
      case 'blockquote':
        out.push({ tag: 'blockquote', children: block((token as Tokens.Blockquote).tokens) });
        break;
      case 'list': {
        const list = token as Tokens.List;
        out.push({
          tag: list.ordered ? 'ol' : 'ul',
          start: list.ordered && typeof list.start === 'number' && list.start !== 1 ? list.start : undefined,
          children: list.items.map((item) => ({ tag: 'li', children: listItem(item) })),
        });
        break;
      }
      case 'code':
        out.push({ tag: 'pre', children: [{ tag: 'code', children: [text((token as Tokens.Code).text)] }] });
        break;
      case 'hr':
        out.push({ tag: 'hr' });
        break;
      case 'table':
        out.push(table(token as Tokens.Table));
        break;
      default:
        // Raw HTML and anything unknown: visible as text, inert.
        out.push({ tag: 'p', children: [text('raw' in token ? String(token.raw).trim() : '')] });
    }
  }
  return out;
}

function listItem(item: Tokens.ListItem): SafeNode[] {
  // Tight lists hold bare text tokens: keep them inline rather than wrapping each in <p>.
  if (!item.loose && item.tokens.every((t) => t.type === 'text'))
    return item.tokens.flatMap((t) => inline((t as Tokens.Text).tokens ?? [t]));
  return block(item.tokens);
}

function table(t: Tokens.Table): SafeNode {
  const align = (a: string | null) => (a === 'left' || a === 'right' || a === 'center' ? a : undefined);
  const head: SafeNode = {
    tag: 'thead',
    children: [
      {
        tag: 'tr',
        children: t.header.map((c) => ({
          tag: 'th',
          scope: 'col' as const,
          align: align(c.align),
          children: inline(c.tokens),
        })),
      },
    ],
  };
  const body: SafeNode = {
    tag: 'tbody',
    children: t.rows.map((row) => ({
      tag: 'tr',
      children: row.map((c, i) => ({
        // The first column names the row: a row header for screen readers.
        tag: i === 0 ? 'th' : 'td',
        scope: i === 0 ? ('row' as const) : undefined,
        align: align(c.align),
        children: inline(c.tokens),
      })),
    })),
  };
  return { tag: 'table', children: [head, body] };
}

/** Markdown source → safe node tree. */
export function markdownToNodes(source: string): SafeNode[] {
  return block(marked.lexer(source, { gfm: true }));
}

/** Plain text of a node tree (for e-mails, titles and tests). */
export function nodesToText(nodes: SafeNode[]): string {
  return nodes.map((n) => (n.tag === '#text' ? (n.text ?? '') : nodesToText(n.children ?? []))).join('');
}
