package eval

import "testing"

func TestRateOfZeroDenominatorIsNull(t *testing.T) {
	var c Counts
	for _, r := range Rates {
		if v := r.Of(c); v != nil {
			t.Errorf("%s over nothing = %v, want null", r.Code, *v)
		}
	}
	c[ShouldClose], c[Closed] = 972, 911
	if v := RatesOf(c)["closure_rate"]; v == nil || *v != 93.72 {
		t.Errorf("closure_rate = %v", v)
	}
	c[Registered], c[VoidedAfterRegistration] = 10, 1
	if v := RatesOf(c)["accurate_registration_rate"]; v == nil || *v != 90 {
		t.Errorf("accurate_registration_rate = %v", v)
	}
	c[Rated], c[RatedSatisfied], c[RatedMostly], c[RatedUnsatisfied] = 4, 2, 1, 1
	if v := RatesOf(c)["satisfaction_rate"]; v == nil || *v != 75 {
		t.Errorf("satisfaction_rate = %v", v)
	}
}

// Every rate and count has a code name of the glossary, once.
func TestCodesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range append(CountCodes(), RateCodes()...) {
		if c == "" || seen[c] {
			t.Errorf("code %q empty or repeated", c)
		}
		seen[c] = true
	}
	for _, want := range []string{"reports", "valid_reports", "registered", "voided", "should_dispatch", "dispatched_on_time",
		"should_handle", "handled", "handled_on_time", "reworked", "should_close", "closed", "closed_on_time", "extended",
		"deferred", "shelved", "supervised", "registration_rate", "accurate_registration_rate", "on_time_dispatch_rate",
		"accurate_dispatch_rate", "handling_rate", "on_time_handling_rate", "rework_rate", "closure_rate",
		"on_time_closure_rate", "on_time_confirm_rate", "on_time_verify_rate", "response_rate", "resolution_rate",
		"satisfaction_rate", "extension_rate", "overdue_rate"} {
		if !seen[want] {
			t.Errorf("the issue names %s: missing", want)
		}
	}
}
