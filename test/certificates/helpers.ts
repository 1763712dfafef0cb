/** A page's HTML without what differs per response (CSP nonce, CSRF token). */
export const stable = (html: string) => html.replace(/nonce-[^'"]+|value="[^"]*"/g, '');
