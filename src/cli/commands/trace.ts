import type { RegisterCommand } from './types.ts';

// PLACEHOLDER: replaced by the real command.
export const registerTrace: RegisterCommand = () => {};
