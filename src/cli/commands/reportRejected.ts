import type { RegisterCommand } from './types.ts';

// PLACEHOLDER: replaced by the real report.
export const registerReportRejected: RegisterCommand = () => {};
