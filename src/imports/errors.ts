/** The file cannot be imported at all (bad header, not CSV); nothing was imported. */
export class UnusableFileError extends Error {}
