/**
 * Screens redraw what they show when they reload (a poll, an action); the
 * element that had the keyboard focus is focused again afterwards when its
 * redrawn twin (same `data-focus-key`) is there, so a reload never throws a
 * keyboard user back to the top.
 */
export function keepFocus(root: HTMLElement, redraw: () => void): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && root.contains(active) ? active.dataset.focusKey : undefined;
  redraw();
  if (key === undefined) return;
  const twin = [...root.querySelectorAll<HTMLElement>('[data-focus-key]')].find((el) => el.dataset.focusKey === key);
  twin?.focus({ preventScroll: true });
}
