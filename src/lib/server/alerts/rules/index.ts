import type { AlertRule, RuleId } from '../rule.js';
import { firstValueMiss } from './first-value-miss.js';
import { highValueRisk } from './high-value-risk.js';
import { onboardingStall } from './onboarding-stall.js';
import { productGap } from './product-gap.js';
import { repeatAutomation } from './repeat-automation.js';

/** Every rule, by id, in PRODUCT.md's order. */
export const RULES: { [R in RuleId]: AlertRule<R> } = {
	high_value_risk: highValueRisk,
	onboarding_stall: onboardingStall,
	product_gap: productGap,
	first_value_miss: firstValueMiss,
	repeat_automation: repeatAutomation
};
