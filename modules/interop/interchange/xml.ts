/**
 * A small, strict XML reader for question files: elements, attributes, text, CDATA, comments and the
 * five named and numeric entities. DOCTYPE and processing instructions other than the XML declaration
 * are refused (no external entities, no entity expansion).
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  line: number;
}

export class XmlError extends Error {}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new XmlError(`unknown entity ${m}`);
    return v;
  });
}

export function parseXml(source: string): XmlElement {
  const src = source.replace(/^\uFEFF/, '');
  let i = 0;
  const lineAt = (pos: number) => src.slice(0, pos).split('\n').length;
  const fail = (msg: string): never => {
    throw new XmlError(`line ${lineAt(i)}: ${msg}`);
  };
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < src.length) {
    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i);
      if (end < 0) fail('unclosed declaration');
      if (!/^<\?xml\s/.test(src.slice(i, i + 6))) fail('processing instructions are not allowed');
      i = end + 2;
    } else if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i);
      if (end < 0) fail('unclosed comment');
      i = end + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i);
      if (end < 0) fail('unclosed CDATA section');
      const top = stack[stack.length - 1];
      if (!top) fail('text outside the root element');
      top!.text += src.slice(i + 9, end);
      i = end + 3;
    } else if (src.startsWith('<!', i)) {
      fail('DOCTYPE and entity declarations are not allowed');
    } else if (src.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(src.slice(i));
      if (!m) fail('malformed closing tag');
      const top = stack.pop();
      if (!top || top.name !== m![1]) fail(`</${m![1]}> does not close <${top?.name ?? ''}>`);
      i += m![0].length;
    } else if (src[i] === '<') {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(
        src.slice(i),
      );
      if (!m) fail('malformed tag');
      const attrs: Record<string, string> = {};
      for (const a of (m![2] ?? '').matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
        attrs[a[1] ?? ''] = decodeEntities(a[2] ?? a[3] ?? '');
      const el: XmlElement = { name: m![1] ?? '', attrs, children: [], text: '', line: lineAt(i) };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) fail('more than one root element');
      else root = el;
      if (!m![3]) stack.push(el);
      i += m![0].length;
    } else {
      const end = src.indexOf('<', i);
      const chunk = src.slice(i, end < 0 ? src.length : end);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(chunk);
      else if (chunk.trim()) fail('text outside the root element');
      i = end < 0 ? src.length : end;
    }
  }
  if (stack.length) throw new XmlError(`<${stack[stack.length - 1]?.name ?? ''}> is never closed`);
  if (!root) throw new XmlError('no root element');
  return root;
}

export const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);
export const childrenNamed = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);

export const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Text inside CDATA, splitting any "]]>" it contains. */
export const cdata = (s: string) => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
