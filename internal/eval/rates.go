package eval

import "github.com/yiwang-gov/yiwang/internal/percent"

// Rate is one indicator: a numerator over a denominator, as a percentage. Num is the sum of
// Plus minus the sum of Minus.
type Rate struct {
	Code  string
	Plus  []Count
	Minus []Count
	Den   Count
	// Source is where the definition comes from (../shared/reference/standards-cn.md).
	Source string
}

// Rates are the indicators, each defined once. A rate whose denominator is 0 is null: there was
// nothing to measure, which is not 0 % and not 100 %.
var Rates = []Rate{
	{Code: "registration_rate", Plus: []Count{Registered}, Den: ValidReports,
		Source: "GB/T 30428.4 / CJ/T 292 立案率 = 立案数 / 有效上报数 (§1.5; denominator ❓ unconfirmed)"},
	{Code: "accurate_registration_rate", Plus: []Count{Registered}, Minus: []Count{VoidedAfterRegistration}, Den: Registered,
		Source: "CJ/T 292 准确立案率 = (立案数 − 作废数) / 立案数 (§1.5 [实现]); 作废 counted after 立案"},
	{Code: "on_time_dispatch_rate", Plus: []Count{DispatchedOnTime}, Den: ShouldDispatch,
		Source: "CJ/T 292 按时派遣率 = 按时派遣数 / 应派遣数 (§1.5)"},
	{Code: "accurate_dispatch_rate", Plus: []Count{ShouldDispatch}, Minus: []Count{Returned}, Den: ShouldDispatch,
		Source: "CJ/T 292 准确派遣率 = (应派遣数 − 返工数) / 应派遣数, 准确派遣 = no 回退 (§1.4, §1.5 [实现]); a 退回 is the dispatch error"},
	{Code: "handling_rate", Plus: []Count{Handled}, Den: ShouldHandle,
		Source: "CJ/T 292 处置率 = 处置数 / 应处置数 (§1.5)"},
	{Code: "on_time_handling_rate", Plus: []Count{HandledOnTime}, Den: ShouldHandle,
		Source: "CJ/T 292 按期处置率 = 按期处置数 / 应处置数 (§1.5)"},
	{Code: "rework_rate", Plus: []Count{Reworked}, Den: ShouldClose,
		Source: "返工率 = 返工数 / 应结案数 (成都金牛 rule, §1.5 [地方])"},
	{Code: "closure_rate", Plus: []Count{Closed}, Den: ShouldClose,
		Source: "CJ/T 292 结案率 = 结案数 / 应结案数 (§1.5, denominator ✅ monthly report); 缓办 excluded as 金华 does"},
	{Code: "on_time_closure_rate", Plus: []Count{ClosedOnTime}, Den: ShouldClose,
		Source: "CJ/T 292 按期结案率 = 按期结案数 / 应结案数 (§1.5)"},
	{Code: "on_time_confirm_rate", Plus: []Count{ConfirmedOnTime}, Den: ShouldConfirm,
		Source: "CJ/T 292 按时核实率 = 按时核实数 / 应核实数 (§1.5)"},
	{Code: "on_time_verify_rate", Plus: []Count{VerifiedOnTime}, Den: ShouldVerify,
		Source: "CJ/T 292 按时核查率 = 按时核查数 / 应核查数 (§1.5)"},
	{Code: "response_rate", Plus: []Count{RespondedOnTime}, Den: ShouldHandle,
		Source: "12345 响应率 (接诉即办, §3.2): 及时签收 over cases dispatched"},
	{Code: "resolution_rate", Plus: []Count{Resolved}, Den: ShouldClose,
		Source: "12345 解决率 (接诉即办, §3.2): closed and not rejected by the reporter, over 应结案数"},
	{Code: "satisfaction_rate", Plus: []Count{RatedSatisfied, RatedMostly}, Den: Rated,
		Source: "12345 满意率 (接诉即办, §3.2): 满意 + 基本满意 over the rated"},
	{Code: "extension_rate", Plus: []Count{Extended}, Den: ShouldHandle,
		Source: "延期率 = 延期数 / 应处置数 (成都金牛, §1.5 [地方])"},
	{Code: "overdue_rate", Plus: []Count{Overdue}, Den: ShouldClose,
		Source: "超期率: cases with a stage past its limit over 应结案数 (§1.4 alert colours; 金牛 超期待处置率)"},
}

// RateCodes lists the rates' code names in order.
func RateCodes() []string {
	out := make([]string, len(Rates))
	for i, r := range Rates {
		out[i] = r.Code
	}
	return out
}

// Of computes the rate over c: the percentage rounded half-up to two decimals (911 of 972 →
// 93.72), or nil when the denominator is 0.
func (r Rate) Of(c Counts) *float64 {
	den := c[r.Den]
	if den == 0 {
		return nil
	}
	var num int64
	for _, p := range r.Plus {
		num += c[p]
	}
	for _, m := range r.Minus {
		num -= c[m]
	}
	v := percent.Of(num, den)
	return &v
}

// RatesOf computes every rate over c, keyed by code name.
func RatesOf(c Counts) map[string]*float64 {
	m := make(map[string]*float64, len(Rates))
	vals := make([]float64, len(Rates)) // one allocation for the row's values, not one each
	for i, r := range Rates {
		if v := r.Of(c); v != nil {
			vals[i] = *v
			m[r.Code] = &vals[i]
		} else {
			m[r.Code] = nil
		}
	}
	return m
}
