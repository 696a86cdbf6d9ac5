// Package eval is 对标找差、比学赶超: the indicators of GB/T 30428.4 / CJ/T 292 and the 12345 三率,
// counted for every unit (grid, community, zone, subdistrict, district, department, person) and
// period, scored by versioned schemes and ranked. Every definition is written once, in this file
// and facts.go, and listed with a worked example in docs/indicators.md.
package eval

// Count is one of the counts an indicator is made of; its name is the code name of the glossary
// (../shared/GLOSSARY.md) and the column that holds it in eval_daily and eval_monthly.
type Count int

// The counts, in column order. Each is a number of cases (reworks alone counts events). What
// makes a case count is decided in facts.go; the source of each is cited there.
const (
	Reports                 Count = iota // 上报数: every report, duplicates merged later included
	ValidReports                         // 有效上报数: reports that are neither merged duplicates, nor found false on site, nor voided unregistered
	Registered                           // 立案数
	Voided                               // 作废数: voided, before or after registration
	VoidedAfterRegistration              // 立案后作废数: registered, then voided (the 准确立案率 numerator subtracts it)
	ShouldConfirm                        // 应核实数: public reports that needed on-site confirmation (merged duplicates aside)
	ConfirmedOnTime                      // 按时核实数
	ShouldDispatch                       // 应派遣数: registered, then dispatched or still waiting (not voided, merged or parked before)
	DispatchedOnTime                     // 按时派遣数: the first dispatch within the dispatch stage's limit
	Returned                             // 退回数: a department sent the case back as not its duty (a dispatch that was not accurate)
	ShouldHandle                         // 应处置数: dispatched, and not deferred (缓办) now
	RespondedOnTime                      // 按时签收数 (响应): the lead department signed within the limit
	Handled                              // 处置数: the department reported the work done at least once
	HandledOnTime                        // 按期处置数: every report-back within the handling limit (extensions granted included)
	Reworked                             // 返工数: cases sent back at least once after a failed check (核查)
	Reworks                              // 返工次数: every time a case was sent back (a case reworked twice counts 2)
	ShouldVerify                         // 应核查数: cases the department reported done
	VerifiedOnTime                       // 按时核查数: every check within the verify stage's limit
	ShouldClose                          // 应结案数: registered, not voided, not merged, not deferred now
	Closed                               // 结案数: closed now (a case reopened after an unsatisfied rating is not)
	ClosedOnTime                         // 按期结案数: closed, and no stage from registration to closure past its limit
	Resolved                             // 解决数: closed, and the reporter did not reject the fix (final rating not unsatisfied)
	Extended                             // 延期数: an extension was granted
	Deferred                             // 缓办数: deferred at some time
	Shelved                              // 挂账数: shelved at some time
	Supervised                           // 督办数: a leader supervised it
	Overdue                              // 超期数: some stage passed its limit (ended late, or still running past it)
	Rated                                // 参评数: the reporter gave a final rating
	RatedSatisfied                       // 满意
	RatedMostly                          // 基本满意
	RatedUnsatisfied                     // 不满意
	numCounts
)

// countCodes are the code names, by Count.
var countCodes = [numCounts]string{
	"reports", "valid_reports", "registered", "voided", "voided_after_registration",
	"should_confirm", "confirmed_on_time", "should_dispatch", "dispatched_on_time", "returned",
	"should_handle", "responded_on_time", "handled", "handled_on_time", "reworked", "reworks",
	"should_verify", "verified_on_time", "should_close", "closed", "closed_on_time", "resolved",
	"extended", "deferred", "shelved", "supervised", "overdue",
	"rated", "rated_satisfied", "rated_mostly", "rated_unsatisfied",
}

// Code is the count's code name.
func (c Count) Code() string { return countCodes[c] }

// CountCodes lists every count's code name in column order.
func CountCodes() []string { return countCodes[:] }

// Counts is one value per count.
type Counts [numCounts]int64

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	for i := range c {
		c[i] += o[i]
	}
}

// Sub subtracts o from c.
func (c *Counts) Sub(o Counts) {
	for i := range c {
		c[i] -= o[i]
	}
}

// Zero reports whether every count is 0.
func (c Counts) Zero() bool { return c == Counts{} }

// Map is the counts keyed by code name, as the API shows them.
func (c Counts) Map() map[string]int64 {
	m := make(map[string]int64, numCounts)
	for i, v := range c {
		m[countCodes[i]] = v
	}
	return m
}
