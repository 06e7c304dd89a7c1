import text from "../../config/avalon.toml"

/** The default configuration file, embedded in the build; `avalon echo-config` prints it byte for byte. */
export const defaultConfigText: string = text
