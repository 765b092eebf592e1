/** `'A','B'` for use inside SQL `IN (...)`; the values are our own constants (statuses), never input. */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(',');
}
