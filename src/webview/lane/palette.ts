// The lane's colours, read from the VS Code theme. A canvas cannot use var(), so the
// --vscode-* custom properties are resolved with getComputedStyle and read again whenever
// the theme changes.

import type { ColourRole } from './laneMarks.js';

export interface LanePalette {
  roles: Record<ColourRole, string>;
  foreground: string;
  muted: string;
  grid: string;
  focus: string;
  /** Outline colour in high-contrast themes, null otherwise (no outlines). */
  outline: string | null;
  fontFamily: string;
  highContrast: boolean;
}

/** Fallbacks: VS Code's Dark Modern values, used when a variable is missing (e.g. in a plain page). */
const FALLBACKS = {
  blue: '#3794ff',
  green: '#89d185',
  red: '#f14c4c',
  yellow: '#cca700',
  orange: '#d18616',
  purple: '#b180d7',
  warning: '#cca700',
  foreground: '#cccccc',
  description: '#9d9d9d',
  focus: '#007fd4',
  contrastBorder: '#6fc3df',
  font: 'system-ui, -apple-system, "Segoe UI", sans-serif',
};

/** Reads the palette from the computed style of `element` (the variables are inherited from <html>). */
export function readPalette(element: Element): LanePalette {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const body = element.ownerDocument.body;
  const highContrast =
    body.classList.contains('vscode-high-contrast') || body.classList.contains('vscode-high-contrast-light');
  const foreground = read('--vscode-editor-foreground', read('--vscode-foreground', FALLBACKS.foreground));
  const muted = read('--vscode-descriptionForeground', FALLBACKS.description);
  return {
    roles: {
      in: read('--vscode-charts-blue', FALLBACKS.blue),
      out: read('--vscode-charts-green', FALLBACKS.green),
      control: read('--vscode-charts-purple', FALLBACKS.purple),
      open: read('--vscode-charts-green', FALLBACKS.green),
      warn: read('--vscode-editorWarning-foreground', FALLBACKS.warning),
      error: read('--vscode-charts-red', FALLBACKS.red),
      muted,
      retry: read('--vscode-charts-orange', FALLBACKS.orange),
      idle: read('--vscode-charts-yellow', FALLBACKS.yellow),
      // Neutral: the normal quiet between heartbeats must not look like a warning.
      quiet: muted,
    },
    foreground,
    muted,
    grid: foreground,
    focus: read('--vscode-focusBorder', FALLBACKS.focus),
    outline: highContrast ? read('--vscode-contrastBorder', FALLBACKS.contrastBorder) : null,
    fontFamily: read('--vscode-font-family', FALLBACKS.font),
    highContrast,
  };
}
