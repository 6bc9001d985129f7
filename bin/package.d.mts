export function packageVsix(o?: { quiet?: boolean }): string;
