/** A count with its noun: "1 fix", "2 fixes", "0 files". `plural` only where adding "s" is wrong. */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
