// Building DOM nodes without markup: every string becomes a text node or an attribute value,
// so a payload can never turn into an element.

export interface ElementOptions {
  id?: string;
  className?: string;
  text?: string;
  title?: string;
  /** Plain attributes (role, aria-*, type, …). Never event handlers or style. */
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: Array<Node | string> = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.id) element.id = options.id;
  if (options.className) element.className = options.className;
  if (options.title) element.title = options.title;
  if (options.text !== undefined) element.textContent = options.text;
  if (options.attrs) {
    for (const [name, value] of Object.entries(options.attrs)) {
      if (/^on/i.test(name) || name.toLowerCase() === 'style') throw new Error(`refusing attribute ${name}`);
      element.setAttribute(name, value);
    }
  }
  for (const child of children) element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return element;
}

/** A button with an optional icon and text. */
export function button(
  options: ElementOptions & { label: string },
  children: Array<Node | string> = [],
): HTMLButtonElement {
  const { label, ...rest } = options;
  const element = el(
    'button',
    { ...rest, attrs: { type: 'button', 'aria-label': label, ...(rest.attrs ?? {}) } },
    children,
  );
  if (!rest.title) element.title = label;
  return element;
}

/** A labelled checkbox: <label><input type=checkbox id=…> text</label>. */
export function checkbox(
  id: string,
  text: string,
  checked: boolean,
  title?: string,
): { label: HTMLLabelElement; input: HTMLInputElement } {
  const input = el('input', { id, attrs: { type: 'checkbox' } });
  input.checked = checked;
  const label = el('label', { className: 'check', ...(title ? { title } : {}) }, [input, text]);
  return { label, input };
}

export function clear(element: Element): void {
  while (element.firstChild) element.firstChild.remove();
}

/** Sets text only when it changed (cheap on hot paths). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}
