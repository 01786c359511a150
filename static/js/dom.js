// Small DOM helpers. Everything that comes from the server goes in as text:
// h() appends strings as text nodes and never touches innerHTML.

/**
 * Create an element. props: class, text, dataset, on<Event> handlers, and
 * plain attributes (false/null skip the attribute, true sets it empty).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = String(value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2).toLowerCase(), value);
      } else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  appendChildren(el, children);
  return el;
}

function appendChildren(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) appendChildren(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Shorthand for document.getElementById that fails loudly on a typo. */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

/** Replace an element's children (text for strings, nodes as they are). */
export function setChildren(el, ...children) {
  el.replaceChildren();
  appendChildren(el, children);
}

/** Set text only when it changed, so screen readers and selections are not disturbed. */
export function setText(el, text) {
  const value = text === null || text === undefined ? '' : String(text);
  if (el.textContent !== value) el.textContent = value;
}

export function show(el, visible = true) {
  el.hidden = !visible;
}
