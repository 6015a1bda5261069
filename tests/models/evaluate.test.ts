import { describe, expect, it } from 'vitest';
import {
	brier,
	calibrationTable,
	classificationReport,
	logLoss,
	mae,
	prAuc,
	rmse,
	rocAuc,
	topDecile
} from '../../src/lib/server/models/evaluate.js';

// Three positives (0.9, 0.8, 0.5) and three negatives (0.8, 0.3, 0.5); two ties across the classes.
const y = [1, 0, 1, 0, 1, 0];
const p = [0.9, 0.8, 0.8, 0.3, 0.5, 0.5];

describe('evaluate (hand-computed on tiny arrays)', () => {
	it('ROC AUC counts ties as half a win', () => {
		// Positive-negative pairs won: 0.9 beats all 3; 0.8 ties 0.8, beats 0.3 and 0.5 (2.5); 0.5 beats 0.3, ties 0.5 (1.5).
		expect(rocAuc(y, p)).toBeCloseTo(7 / 9, 12);
		expect(rocAuc([0, 1], [0.2, 0.7])).toBe(1);
		expect(rocAuc([1, 0], [0.2, 0.7])).toBe(0);
		expect(rocAuc([1, 0, 1, 0], [0.4, 0.4, 0.4, 0.4])).toBe(0.5);
		expect(rocAuc([1, 1], [0.2, 0.7])).toBeNaN();
	});

	it('PR AUC is average precision with tied scores entering together', () => {
		// Thresholds 0.9 → P 1, R 1/3; 0.8 → P 2/3, R 2/3; 0.5 → P 3/5, R 1; 0.3 adds no recall.
		expect(prAuc(y, p)).toBeCloseTo(1 / 3 + (1 / 3) * (2 / 3) + (1 / 3) * (3 / 5), 12);
		expect(prAuc([1, 0, 1], [0.9, 0.1, 0.8])).toBeCloseTo(1, 12);
		expect(prAuc([0, 0], [0.9, 0.1])).toBeNaN();
	});

	it('Brier and log loss', () => {
		expect(brier(y, p)).toBeCloseTo((0.01 + 0.64 + 0.04 + 0.09 + 0.25 + 0.25) / 6, 12);
		const expected = -(Math.log(0.9) + Math.log(0.2) + Math.log(0.8) + Math.log(0.7) + Math.log(0.5) + Math.log(0.5)) / 6;
		expect(logLoss(y, p)).toBeCloseTo(expected, 12);
		expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
		expect(() => brier([1, 0], [0.5])).toThrow(/differ in length: 2 vs 1/);
	});

	it('calibration table: equal-width bins, 1.0 in the last bin, empty bins null', () => {
		expect(calibrationTable(y, p, 2)).toEqual([
			{ bin: 1, from: 0, to: 0.5, count: 1, mean_predicted: 0.3, observed_rate: 0 },
			{ bin: 2, from: 0.5, to: 1, count: 5, mean_predicted: expect.closeTo(0.7, 12), observed_rate: 0.6 }
		]);
		const table = calibrationTable([1, 0], [1, 0.05]);
		expect(table).toHaveLength(10);
		expect(table[9]).toMatchObject({ count: 1, mean_predicted: 1, observed_rate: 1 });
		expect(table[4]).toMatchObject({ count: 0, mean_predicted: null, observed_rate: null });
	});

	it('top decile: precision, lift over the base rate', () => {
		expect(topDecile(y, p)).toEqual({ precision: 1, lift: 2, base_rate: 0.5 });
		// 20 rows, 4 positives; the top 2 scores hold one positive → precision 0.5, lift 0.5 / 0.2.
		const yy = Array.from({ length: 20 }, (_, i) => (i === 0 || i >= 17 ? 1 : 0));
		const pp = Array.from({ length: 20 }, (_, i) => 1 - i / 20);
		expect(topDecile(yy, pp)).toEqual({ precision: 0.5, lift: 2.5, base_rate: 0.2 });
	});

	it('MAE and RMSE', () => {
		expect(mae([1, 2, 3], [2, 2, 5])).toBe(1);
		expect(rmse([1, 2, 3], [2, 2, 5])).toBeCloseTo(Math.sqrt(5 / 3), 12);
	});

	it('classification report gathers them, with the Brier of the base rate', () => {
		const r = classificationReport(y, p);
		expect(r).toMatchObject({ n: 6, positives: 3, base_rate: 0.5, brier_base_rate: 0.25, top_decile: { precision: 1, lift: 2 } });
		expect(r.auc).toBeCloseTo(7 / 9, 12);
		expect(r.pr_auc).toBeCloseTo(prAuc(y, p), 12);
		expect(r.brier).toBeCloseTo(brier(y, p), 12);
		expect(r.calibration).toHaveLength(10);
	});
});
