/**
 * Headers in the form node:http's writeHead takes most cheaply: one flat array of names and string values.
 * Given an object, it walks the object's keys with for-in, which turns slow once answers of many shapes (and
 * number values) have passed through it; every array has the same shape.
 */
export const headerList = (headers: Readonly<Record<string, string | number>>): Array<string> => {
  const list: Array<string> = []
  for (const name of Object.keys(headers)) list.push(name, String(headers[name]))
  return list
}
