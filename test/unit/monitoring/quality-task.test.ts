import { describe, expect, it } from 'vitest';
import { liveQuality, qualityTask, type LabelledPrediction } from '../../../core/monitoring/live-quality';

const row = (prediction: string, label: string, regression?: boolean): LabelledPrediction => ({
  prediction,
  label,
  categories: {},
  ...(regression ? { regression } : {}),
});

describe('the task live quality is scored as', () => {
  it("is regression for a regressor's logged predictions, however few labels came back", () => {
    const rows = [row('1.83', '1.8', true), row('0.21', '0.2', true)];
    expect(qualityTask(rows)).toBe('regression');
    expect(liveQuality(rows, qualityTask(rows)).rmse).toBeCloseTo(Math.sqrt((0.03 ** 2 + 0.01 ** 2) / 2), 9);
  });

  it('stays classification for class labels, numeric ones included, from logs without the flag', () => {
    expect(qualityTask([row('1', '1'), row('2', '1')])).toBe('classification');
    expect(qualityTask([row('setosa', 'setosa')])).toBe('classification');
  });
});
