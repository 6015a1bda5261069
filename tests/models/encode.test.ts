import { describe, expect, it } from 'vitest';
import { encodedNames, encodeFrame, fitEncoding, nthSmallest } from '../../src/lib/server/models/churn/encode.js';
import { mulberry32 } from '../../src/lib/server/models/core/random.js';
import type { FeatureFrame } from '../../src/lib/server/features/store.js';

describe('the churn encoding', () => {
	it('nthSmallest picks what sorting would put at k, ties and all', () => {
		const rand = mulberry32(3);
		for (let t = 0; t < 500; t++) {
			const a = Float64Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.floor(rand() * 6));
			const k = Math.floor(rand() * a.length);
			expect(nthSmallest(Float64Array.from(a), k)).toBe(Float64Array.from(a).sort()[k]);
		}
	});

	it('fits medians and levels on the training rows only, and encodes every row with them', () => {
		// Rows 0–3 train: tickets_30d 5, null, 1, 3 → finite values 1, 3, 5, median (upper middle) 3; row 4 is not seen.
		const frame: FeatureFrame = {
			account_id: ['a', 'b', 'c', 'd', 'e'],
			as_of: Array(5).fill('2026-01-01T00:00:00.000Z'),
			label: [true, false, false, null, null],
			numeric: { tickets_30d: [5, null, 1, 3, 100], usage_trend: [0.5, -0.5, NaN, 0, 0] },
			categorical: { plan: ['pro', 'starter', null, 'pro', 'enterprise'] }
		};
		const enc = fitEncoding(frame, [0, 1, 2, 3]);
		expect(enc.numeric).toEqual([
			{ name: 'tickets_30d', median: 3, log: true },
			{ name: 'usage_trend', median: 0, log: false }
		]);
		expect(encodedNames(enc)).toEqual(['tickets_30d', 'usage_trend', 'plan=pro', 'plan=starter']);
		const X = encodeFrame(frame, enc);
		expect(X[1]).toEqual([Math.log1p(3), -0.5, 0, 1]);
		expect(X[2]).toEqual([Math.log1p(1), 0, 0, 0]);
		expect(X[4]).toEqual([Math.log1p(100), 0, 0, 0]);
	});
});
