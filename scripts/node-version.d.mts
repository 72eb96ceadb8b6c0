/** The lowest Node.js version package.json's engines field accepts, as `major.minor.patch`. */
export function requiredNode(): string;
/** Why this Node.js is too old for the project (one line that says what to do), or undefined. */
export function nodeVersionProblem(version?: string): string | undefined;
