import { codeCacheEvents } from "./codeCacheEvents.js"

/** Asks the loader to save the code cache now, the program being warm (see `runBundle`); a no-op when there is none. */
export const saveCodeCache = (): void => {
  const events: NodeJS.EventEmitter = process
  events.emit(codeCacheEvents.save)
}
