/** A list for one line of text: at most `max` items, then "+N more <what>", so no line grows with the data. */
export function listed(items: readonly string[], max: number, what = 'more'): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} +${items.length - max} ${what === 'more' ? 'more' : `more ${what}`}`;
}
