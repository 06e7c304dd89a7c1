/** Masks the password of every `scheme://user:password@host` in a text. */
export const redactUrl = (text: string): string => text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/g, "$1:***@")
