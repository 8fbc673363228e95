// What the engine's lists are joined with where they cross the wasm
// boundary as one string (ids, files, rules, terms): a control character
// that ids and rules cannot hold.

/** U+001E, the separator of the engine's string lists. */
export const SEPARATOR = "\u001e";
