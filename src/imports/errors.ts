/** The file cannot be imported at all (bad header, not CSV); nothing was imported. */
export class UnusableFileError extends Error {}

/** The path given is not a readable file (a usage mistake rather than a bad file). */
export class UnreadableFileError extends Error {}
