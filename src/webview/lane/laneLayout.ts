// Where things sit on the lane's canvas, in CSS pixels: the plot between the row-title gutter
// and a small right pad, the rows stacked above the time axis. Shared by the renderer, the
// input handling and the state the lane publishes for tests. Pure.

import { LANE_ROWS, type LaneRowName } from './laneMarks.js';
import { TimeScale, type TimeRange } from './scale.js';

const GUTTER_PX = 34;
const RIGHT_PAD_PX = 6;
export const AXIS_PX = 18;
export const TOP_PAD_PX = 2;
export const FONT_PX = 11;
/** How far from a mark the pointer may be and still hit it. */
export const HIT_TOLERANCE_PX = 5;

export class LaneLayout {
  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  get plotLeft(): number {
    return GUTTER_PX;
  }

  get plotRight(): number {
    return Math.max(this.plotLeft + 1, this.width - RIGHT_PAD_PX);
  }

  get plotWidth(): number {
    return this.plotRight - this.plotLeft;
  }

  /** The bottom of the rows, where the axis starts. */
  get plotBottom(): number {
    return this.height - AXIS_PX;
  }

  /** A row's band (top, bottom). */
  rowBand(row: LaneRowName): [number, number] {
    const rowHeight = (this.height - AXIS_PX - TOP_PAD_PX) / LANE_ROWS.length;
    const top = TOP_PAD_PX + LANE_ROWS.indexOf(row) * rowHeight;
    return [top, top + rowHeight];
  }

  /** Time ⇄ x over the plot for a view (a placeholder range when there is none yet). */
  scale(view: TimeRange | null): TimeScale {
    const range = view ?? { fromT: 0, toT: 1 };
    return new TimeScale(range.fromT, range.toT, this.plotLeft, this.plotWidth);
  }

  /** The middle of each row, for tests and tools that point at a row. */
  rowCentres(): Record<string, number> {
    const rows: Record<string, number> = {};
    for (const row of LANE_ROWS) {
      const [top, bottom] = this.rowBand(row);
      rows[row] = Math.round((top + bottom) / 2);
    }
    return rows;
  }
}
