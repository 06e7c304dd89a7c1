/** Query parameters with the first value of each name (the original's rule for repeated parameters). */
export const firstValues = (search: string): Map<string, string> => {
  const params = new Map<string, string>()
  for (const [name, value] of new URLSearchParams(search)) if (!params.has(name)) params.set(name, value)
  return params
}
