// Draws the lane on its canvas from a scene — the view, the host's last answer, the selection
// and the hovered mark — and records where each mark landed, for hit testing. The work per draw
// is bounded by the answer's size (the host caps individual marks) and the canvas width: dense
// marks collapse to one per pixel column, labels that would collide are left out.

import type { LaneLifetime } from '../../shared/timelineProtocol.js';
import { hitTest, type HitTarget } from './hitTest.js';
import { layoutLabels, type LabelCandidate, type LabelObstacle } from './labels.js';
import { AXIS_PX, FONT_PX, HIT_TOLERANCE_PX, LaneLayout, TOP_PAD_PX } from './laneLayout.js';
import { LANE_ROWS, ROW_TITLES, type LaneRowName, type StyledMark } from './laneMarks.js';
import type { LaneAnswer } from './laneRequests.js';
import type { LanePalette } from './palette.js';
import type { TimeRange, TimeScale } from './scale.js';
import { generateTicks } from './ticks.js';

/** What a hit target stands for. */
export type TargetInfo =
  | { kind: 'mark'; mark: StyledMark }
  | { kind: 'lifetime'; lifetime: LaneLifetime }
  | { kind: 'bucket'; fromT: number; messagesIn: number; messagesOut: number };

/** Everything one draw depends on. */
export interface LaneScene {
  layout: LaneLayout;
  pixelRatio: number;
  /** The visible range, or null before the first event. */
  view: TimeRange | null;
  answer: LaneAnswer | null;
  marks: readonly StyledMark[];
  /** Where the live edge is drawn, when `live`. */
  lastT: number | null;
  live: boolean;
  selectedSeq: number | null;
  selectedT: number | null;
  hovered: TargetInfo | null;
}

const NOTHING_YET: LaneScene = {
  layout: new LaneLayout(0, 0),
  pixelRatio: 1,
  view: null,
  answer: null,
  marks: [],
  lastT: null,
  live: false,
  selectedSeq: null,
  selectedT: null,
  hovered: null,
};

export class LaneRenderer {
  private readonly textWidths = new Map<string, number>();
  /** The scene being (or last) drawn. */
  private scene = NOTHING_YET;
  private targets: HitTarget[] = [];
  private targetInfo: TargetInfo[] = [];
  /** Where point marks were drawn this frame, per row index: labels keep off them. */
  private labelObstacles: LabelObstacle[] = [];

  constructor(
    private readonly context: CanvasRenderingContext2D,
    private palette: LanePalette,
  ) {}

  private get layout(): LaneLayout {
    return this.scene.layout;
  }

  /** The theme changed. */
  setPalette(palette: LanePalette): void {
    this.palette = palette;
    this.textWidths.clear();
  }

  /** What is under (x, y) in the last drawing, within the hit tolerance. */
  hitAt(x: number, y: number): { target: HitTarget; info: TargetInfo } | null {
    const target = hitTest(this.targets, x, y, HIT_TOLERANCE_PX);
    const info = target ? this.targetInfo[target.index] : undefined;
    return target && info ? { target, info } : null;
  }

  /** Draws the scene; the number of marks in view, or null when the canvas has no size. */
  draw(scene: LaneScene): number | null {
    this.scene = scene;
    const layout = scene.layout;
    const ctx = this.context;
    const palette = this.palette;
    ctx.setTransform(scene.pixelRatio, 0, 0, scene.pixelRatio, 0, 0);
    ctx.clearRect(0, 0, layout.width, layout.height);
    ctx.font = `${FONT_PX}px ${palette.fontFamily}`;
    ctx.textBaseline = 'middle';
    this.targets = [];
    this.targetInfo = [];
    if (layout.width === 0 || layout.height === 0) return null;

    const left = layout.plotLeft;
    const right = layout.plotRight;
    const plotBottom = layout.plotBottom;

    // Row titles and separators.
    ctx.fillStyle = palette.muted;
    ctx.textAlign = 'left';
    for (const row of LANE_ROWS) {
      const [top, bottom] = layout.rowBand(row);
      ctx.fillText(ROW_TITLES[row], 3, (top + bottom) / 2);
      ctx.globalAlpha = 0.12;
      ctx.fillStyle = palette.grid;
      ctx.fillRect(left, Math.round(bottom) - 0.5, right - left, 1);
      ctx.globalAlpha = 1;
      ctx.fillStyle = palette.muted;
    }

    const view = scene.view;
    if (!view) {
      ctx.textAlign = 'center';
      ctx.fillText('No events yet', (left + right) / 2, plotBottom / 2);
      return 0;
    }
    const scale = layout.scale(view);

    ctx.save();
    ctx.beginPath();
    ctx.rect(left, 0, right - left, layout.height);
    ctx.clip();

    this.drawAxis(scale, plotBottom);
    const answer = scene.answer;
    let markCount = 0;
    if (answer) {
      this.drawLifetimes(scale, answer);
      this.drawSpans(scale, 'gap');
      this.drawSpans(scale, 'backoff');
      markCount += answer.messagesIncluded ? this.drawMessageTicks(scale) : this.drawDensity(scale, answer);
      markCount += this.drawPointMarks(scale);
      this.drawLabels(scale);
    }
    this.drawLiveEdge(scale, plotBottom);
    this.drawSelection(scale, plotBottom);
    this.drawHover();
    ctx.restore();
    return markCount;
  }

  private textWidth(text: string): number {
    let width = this.textWidths.get(text);
    if (width === undefined) {
      if (this.textWidths.size > 2000) this.textWidths.clear();
      width = this.context.measureText(text).width;
      this.textWidths.set(text, width);
    }
    return width;
  }

  private drawAxis(scale: TimeScale, plotBottom: number): void {
    const ctx = this.context;
    const { ticks } = generateTicks(scale.fromT, scale.toT, scale.width, { charWidthPx: this.textWidth('0') + 0.5 });
    ctx.textAlign = 'center';
    for (const tick of ticks) {
      const x = Math.round(scale.x(tick.t)) + 0.5;
      ctx.globalAlpha = tick.major ? 0.3 : 0.12;
      ctx.fillStyle = this.palette.grid;
      ctx.fillRect(x - 0.5, TOP_PAD_PX, 1, plotBottom - TOP_PAD_PX + 3);
      ctx.globalAlpha = 1;
      ctx.fillStyle = tick.major ? this.palette.foreground : this.palette.muted;
      // A label cut by the plot's edge is noise: leave it out.
      const half = this.textWidth(tick.label) / 2;
      if (x - half >= scale.left - 2 && x + half <= scale.left + scale.width) {
        ctx.fillText(tick.label, x, plotBottom + AXIS_PX / 2 + 1);
      }
    }
  }

  private addTarget(x0: number, x1: number, y0: number, y1: number, penaltyPx: number, info: TargetInfo): void {
    this.targets.push({ x0, x1, y0, y1, penaltyPx, index: this.targetInfo.length });
    this.targetInfo.push(info);
  }

  private drawLifetimes(scale: TimeScale, answer: LaneAnswer): void {
    const ctx = this.context;
    const [top, bottom] = this.layout.rowBand('connection');
    const height = (bottom - top) * 0.4;
    const y = (top + bottom) / 2 - height / 2;
    const openEnd = Math.max(this.scene.lastT ?? answer.toT, scale.fromT);
    for (const lifetime of answer.lifetimes) {
      const x0 = Math.max(scale.left - 2, scale.x(lifetime.openT));
      const x1 = Math.min(scale.left + scale.width + 2, scale.x(lifetime.closeT ?? openEnd));
      if (x1 < scale.left || x0 > scale.left + scale.width) continue;
      const width = Math.max(1, x1 - x0);
      ctx.globalAlpha = 0.35;
      ctx.fillStyle = this.palette.roles.open;
      ctx.fillRect(x0, y, width, height);
      ctx.globalAlpha = 1;
      if (this.palette.outline) {
        ctx.strokeStyle = this.palette.outline;
        ctx.lineWidth = 1;
        ctx.strokeRect(x0 + 0.5, y + 0.5, width - 1, height - 1);
      }
      this.addTarget(x0, x0 + width, top, bottom, HIT_TOLERANCE_PX - 0.5, { kind: 'lifetime', lifetime });
    }
  }

  /** Idle gaps (shaded over the traffic rows) or reconnect backoffs (dashed, on the connection row). */
  private drawSpans(scale: TimeScale, shape: 'gap' | 'backoff'): void {
    const ctx = this.context;
    const [inTop] = this.layout.rowBand('in');
    const [, controlBottom] = this.layout.rowBand('control');
    const [connectionTop, connectionBottom] = this.layout.rowBand('connection');
    const lo = scale.left - 2;
    const hi = scale.left + scale.width + 2;
    for (const styled of this.scene.marks) {
      if (styled.style.shape !== shape || !styled.span) continue;
      const x0 = Math.max(lo, scale.x(styled.span.fromT));
      const x1 = Math.min(hi, scale.x(styled.span.toT));
      if (x1 < lo || x0 > hi) continue;
      const width = Math.max(1, x1 - x0);
      const colour = this.palette.roles[styled.style.colour];
      if (shape === 'gap') {
        ctx.globalAlpha = 0.16;
        ctx.fillStyle = colour;
        ctx.fillRect(x0, inTop, width, controlBottom - inTop);
        ctx.globalAlpha = 0.7;
        ctx.fillRect(x0, inTop, Math.min(1, width), controlBottom - inTop);
        ctx.fillRect(x0 + width - 1, inTop, Math.min(1, width), controlBottom - inTop);
        ctx.globalAlpha = 1;
        if (this.palette.outline) {
          ctx.strokeStyle = this.palette.outline;
          ctx.strokeRect(x0 + 0.5, inTop + 0.5, width - 1, controlBottom - inTop - 1);
        }
        this.addTarget(x0, x0 + width, inTop, controlBottom, HIT_TOLERANCE_PX - 0.5, { kind: 'mark', mark: styled });
      } else {
        const y = Math.round((connectionTop + connectionBottom) / 2) + 0.5;
        ctx.strokeStyle = colour;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(x0, y);
        ctx.lineTo(x0 + width, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.moveTo(x0 + width, y - 4);
        ctx.lineTo(x0 + width, y + 4);
        ctx.stroke();
        ctx.lineWidth = 1;
        this.addTarget(x0, x0 + width, connectionTop, connectionBottom, HIT_TOLERANCE_PX - 1, {
          kind: 'mark',
          mark: styled,
        });
      }
    }
  }

  /** One thin line per message, at most one per pixel column and row (the rest would be invisible). */
  private drawMessageTicks(scale: TimeScale): number {
    const ctx = this.context;
    let drawn = 0;
    for (const direction of ['in', 'out'] as const) {
      const [top, bottom] = this.layout.rowBand(direction);
      const pad = (bottom - top) * 0.18;
      let lastColumn = -Infinity;
      ctx.beginPath();
      for (const styled of this.scene.marks) {
        if (styled.style.shape !== 'tick' || styled.style.row !== direction) continue;
        const x = scale.x(styled.mark.t);
        if (x < scale.left - 1 || x > scale.left + scale.width + 1) continue;
        drawn++;
        const column = Math.round(x);
        if (column === lastColumn) continue;
        lastColumn = column;
        ctx.rect(column - 0.5, top + pad, 1.5, bottom - top - 2 * pad);
        this.addTarget(x - 1, x + 1, top, bottom, 0, { kind: 'mark', mark: styled });
      }
      ctx.fillStyle = this.palette.roles[direction];
      ctx.fill();
    }
    return drawn;
  }

  /** Message counts per bucket as bars; heights on a log scale so a flood does not flatten single messages. */
  private drawDensity(scale: TimeScale, answer: LaneAnswer): number {
    const ctx = this.context;
    const bucketMs = answer.bucketMs > 0 ? answer.bucketMs : 1;
    let max = 1;
    for (let i = 0; i < answer.messagesIn.length; i++) {
      max = Math.max(max, answer.messagesIn[i] ?? 0, answer.messagesOut[i] ?? 0);
    }
    const logMax = Math.log1p(max);
    for (const direction of ['in', 'out'] as const) {
      const counts = direction === 'in' ? answer.messagesIn : answer.messagesOut;
      const [top, bottom] = this.layout.rowBand(direction);
      const room = (bottom - top) * 0.8;
      ctx.beginPath();
      // Buckets narrower than a pixel (an old answer shown zoomed out) merge into one column.
      let column = -Infinity;
      let columnMax = 0;
      const flush = () => {
        if (columnMax <= 0 || !Number.isFinite(column)) return;
        const height = Math.max(1.5, (Math.log1p(columnMax) / logMax) * room);
        ctx.rect(column, bottom - 1 - height, 1, height);
      };
      for (let i = 0; i < counts.length; i++) {
        const count = counts[i] ?? 0;
        if (count === 0) continue;
        const x0 = scale.x(answer.fromT + i * bucketMs);
        const x1 = scale.x(answer.fromT + (i + 1) * bucketMs);
        if (x1 < scale.left || x0 > scale.left + scale.width) continue;
        if (x1 - x0 >= 1.5) {
          flush();
          column = -Infinity;
          columnMax = 0;
          const height = Math.max(1.5, (Math.log1p(count) / logMax) * room);
          ctx.rect(x0, bottom - 1 - height, Math.max(1, x1 - x0 - 0.5), height);
          this.addTarget(x0, x1, top, bottom, HIT_TOLERANCE_PX - 1, {
            kind: 'bucket',
            fromT: answer.fromT + i * bucketMs,
            messagesIn: answer.messagesIn[i] ?? 0,
            messagesOut: answer.messagesOut[i] ?? 0,
          });
          continue;
        }
        const at = Math.floor(x0);
        if (at !== column) {
          flush();
          column = at;
          columnMax = 0;
        }
        columnMax = Math.max(columnMax, count);
      }
      flush();
      ctx.fillStyle = this.palette.roles[direction];
      ctx.fill();
    }
    return 0;
  }

  private drawPointMarks(scale: TimeScale): number {
    const ctx = this.context;
    let drawn = 0;
    this.labelObstacles = [];
    const lastColumn = new Map<string, number>();
    for (const styled of this.scene.marks) {
      const { style, mark } = styled;
      if (style.shape === 'tick' || style.shape === 'gap' || style.shape === 'backoff') {
        if (style.shape !== 'tick') drawn++;
        continue;
      }
      const x = scale.x(mark.t);
      if (x < scale.left - 6 || x > scale.left + scale.width + 6) continue;
      drawn++;
      // Dense pings and pongs (zoomed far out) collapse to one per pixel column.
      const key = `${style.row}:${style.shape}`;
      const column = Math.round(x);
      if (lastColumn.get(key) === column) continue;
      lastColumn.set(key, column);
      const [top, bottom] = this.layout.rowBand(style.row);
      const y = (top + bottom) / 2;
      const size = Math.min(5, (bottom - top) * 0.32);
      const colour = this.palette.roles[style.colour];
      ctx.fillStyle = colour;
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      switch (style.shape) {
        case 'ping':
          if (mark.direction === 'in') {
            ctx.moveTo(x - size, y - size * 0.8);
            ctx.lineTo(x + size, y - size * 0.8);
            ctx.lineTo(x, y + size * 0.8);
          } else {
            ctx.moveTo(x - size, y + size * 0.8);
            ctx.lineTo(x + size, y + size * 0.8);
            ctx.lineTo(x, y - size * 0.8);
          }
          ctx.closePath();
          ctx.fill();
          break;
        case 'pong':
        case 'dot':
          ctx.arc(x, y, size * 0.8, 0, Math.PI * 2);
          ctx.fill();
          break;
        case 'ring':
          ctx.arc(x, y, size * 0.8, 0, Math.PI * 2);
          ctx.stroke();
          break;
        case 'square':
          ctx.rect(x - size * 0.7, y - size * 0.7, size * 1.4, size * 1.4);
          ctx.fill();
          break;
        case 'cross':
          ctx.moveTo(x - size, y - size);
          ctx.lineTo(x + size, y + size);
          ctx.moveTo(x + size, y - size);
          ctx.lineTo(x - size, y + size);
          ctx.lineWidth = 2;
          ctx.stroke();
          break;
        case 'close': {
          // Tall: a close cuts through the traffic rows below it.
          const [, controlBottom] = this.layout.rowBand('control');
          ctx.fillRect(Math.round(x) - 1, top + 2, 2, controlBottom - top - 2);
          ctx.fillRect(Math.round(x) - 4, top + 2, 8, 2);
          break;
        }
        case 'flag': {
          const poleTop = top + 1;
          ctx.fillRect(Math.round(x) - 0.5, poleTop, 1.5, bottom - poleTop);
          ctx.moveTo(Math.round(x) + 1, poleTop);
          ctx.lineTo(Math.round(x) + 1 + size * 2, poleTop + size * 0.9);
          ctx.lineTo(Math.round(x) + 1, poleTop + size * 1.8);
          ctx.closePath();
          ctx.fill();
          break;
        }
        default:
          break;
      }
      if (this.palette.outline && style.shape !== 'cross' && style.shape !== 'ring') {
        ctx.strokeStyle = this.palette.outline;
        ctx.lineWidth = 1;
        ctx.stroke();
      }
      ctx.lineWidth = 1;
      if (style.shape === 'close') {
        for (const row of ['connection', 'in', 'out', 'control'] as const) {
          this.labelObstacles.push({ row: LANE_ROWS.indexOf(row), x0: x - 4, x1: x + 4 });
        }
      } else {
        this.labelObstacles.push({
          row: LANE_ROWS.indexOf(style.row),
          x0: x - size,
          x1: style.shape === 'flag' ? x + 1 + size * 2 : x + size,
        });
      }
      const [hitTop, hitBottom] = style.shape === 'close' ? [top, this.layout.rowBand('control')[1]] : [top, bottom];
      this.addTarget(x - size, x + size, hitTop, hitBottom, 0, { kind: 'mark', mark: styled });
    }
    return drawn;
  }

  private drawLabels(scale: TimeScale): void {
    const ctx = this.context;
    const candidates: LabelCandidate[] = [];
    const texts: Array<{ text: string; y: number; colour: string }> = [];
    const rowIndex = (row: LaneRowName) => LANE_ROWS.indexOf(row);
    for (const styled of this.scene.marks) {
      const { style, mark, span } = styled;
      if (style.label === null) continue;
      let x: number;
      const width = this.textWidth(style.label);
      let row = style.row;
      if (span) {
        // Span labels sit inside their span, centred, when they fit.
        const x0 = Math.max(scale.left, scale.x(span.fromT));
        const x1 = Math.min(scale.left + scale.width, scale.x(span.toT));
        if (x1 - x0 < width + 6) {
          if (style.shape === 'gap') continue;
          x = scale.x(span.toT) + 6;
        } else x = (x0 + x1) / 2 - width / 2;
        // Traffic rows are empty during a silence: the middle one holds the gap's label.
        if (style.shape === 'gap') row = 'out';
      } else {
        const markX = scale.x(mark.t);
        const offset = style.shape === 'flag' ? 12 : 7;
        x = markX + offset;
        // No room on the right (near the live edge): put it on the left of the mark.
        if (x + width > scale.left + scale.width) x = markX - offset - width;
        // A close's code goes beside its bar on the traffic row: that row is quiet after a drop.
        if (style.shape === 'close') row = 'in';
      }
      const [top, bottom] = this.layout.rowBand(row);
      candidates.push({ row: rowIndex(row), x, width, priority: style.labelPriority });
      texts.push({
        text: style.label,
        y: (top + bottom) / 2,
        colour:
          style.shape === 'gap' || style.shape === 'pong' ? this.palette.foreground : this.palette.roles[style.colour],
      });
    }
    ctx.textAlign = 'left';
    for (const index of layoutLabels(candidates, scale.left, scale.left + scale.width, 4, 400, this.labelObstacles)) {
      const candidate = candidates[index]!;
      const text = texts[index]!;
      ctx.fillStyle = text.colour;
      ctx.fillText(text.text, candidate.x, text.y);
    }
  }

  private drawLiveEdge(scale: TimeScale, plotBottom: number): void {
    if (!this.scene.live || this.scene.lastT === null) return;
    const x = Math.round(scale.x(this.scene.lastT)) + 0.5;
    if (x < scale.left || x > scale.left + scale.width) return;
    const ctx = this.context;
    ctx.strokeStyle = this.palette.muted;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(x, TOP_PAD_PX);
    ctx.lineTo(x, plotBottom);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  private drawSelection(scale: TimeScale, plotBottom: number): void {
    if (this.scene.selectedT === null) return;
    const x = Math.round(scale.x(this.scene.selectedT)) + 0.5;
    if (x < scale.left - 2 || x > scale.left + scale.width + 2) return;
    const ctx = this.context;
    ctx.strokeStyle = this.palette.focus;
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.8;
    ctx.beginPath();
    ctx.moveTo(x, TOP_PAD_PX);
    ctx.lineTo(x, plotBottom);
    ctx.stroke();
    ctx.globalAlpha = 1;
    const selected = this.targets.find((target) => {
      const info = this.targetInfo[target.index];
      return info?.kind === 'mark' && info.mark.mark.seq === this.scene.selectedSeq && info.mark.style.shape !== 'gap';
    });
    if (selected) {
      ctx.lineWidth = 2;
      ctx.strokeRect(selected.x0 - 2, selected.y0 + 1, selected.x1 - selected.x0 + 4, selected.y1 - selected.y0 - 2);
      ctx.lineWidth = 1;
    }
  }

  private drawHover(): void {
    const hovered = this.scene.hovered;
    if (!hovered) return;
    // The targets were rebuilt by this draw; find the same thing again.
    const target = this.targets.find((candidate) => sameInfo(this.targetInfo[candidate.index], hovered));
    if (!target) return;
    const ctx = this.context;
    ctx.strokeStyle = this.palette.foreground;
    ctx.globalAlpha = 0.6;
    ctx.lineWidth = 1;
    ctx.strokeRect(
      Math.round(target.x0) - 1.5,
      Math.round(target.y0) + 1.5,
      Math.round(target.x1 - target.x0) + 3,
      Math.round(target.y1 - target.y0) - 3,
    );
    ctx.globalAlpha = 1;
  }
}

function sameInfo(a: TargetInfo | undefined, b: TargetInfo): boolean {
  if (!a || a.kind !== b.kind) return false;
  if (a.kind === 'mark' && b.kind === 'mark') return a.mark.mark.seq === b.mark.mark.seq;
  if (a.kind === 'lifetime' && b.kind === 'lifetime') return a.lifetime.openT === b.lifetime.openT;
  if (a.kind === 'bucket' && b.kind === 'bucket') return a.fromT === b.fromT;
  return false;
}
