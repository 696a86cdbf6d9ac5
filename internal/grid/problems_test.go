package grid

import "testing"

func TestProblemMessage(t *testing.T) {
	tests := []struct {
		p      Problem
		zh, en string
	}{
		{Problem{Feature: 2, Code: "350503001001002", Kind: ProblemRingNotClosed, Args: []any{RingRef(0)}},
			"第 3 个要素（350503001001002）：外环未闭合（首末点不同）",
			"feature 3 (350503001001002): the outer ring is not closed (first and last positions differ)"},
		{Problem{Feature: 0, Kind: ProblemTooFewPoints, Args: []any{RingRef(2), 3}},
			"第 1 个要素：第 2 个内环只有 3 个点，至少需要 4 个（含闭合点）",
			"feature 1: inner ring 2 has only 3 positions; at least 4 are needed (including the closing one)"},
		{Problem{Feature: 4, Code: "350503001001005", Kind: ProblemDuplicateCode, Args: []any{FeatureRef(1)}},
			"第 5 个要素（350503001001005）：网格编码与第 2 个要素重复",
			"feature 5 (350503001001005): grid code repeats the one of feature 2"},
		{Problem{Feature: -1, Kind: ProblemNotContiguous, Args: []any{"350503001001", 2}},
			"社区 350503001001 的网格分成 2 块互不相连的区域",
			"the grids of community 350503001001 form 2 separate pieces"},
		{Problem{Feature: -1, Kind: "something_new"}, "something_new", "something_new"},
	}
	for _, tt := range tests {
		if got := tt.p.Message("zh-CN"); got != tt.zh {
			t.Errorf("zh-CN: %q, want %q", got, tt.zh)
		}
		if got := tt.p.Message(""); got != tt.zh {
			t.Errorf("default: %q, want %q", got, tt.zh)
		}
		if got := tt.p.Message("en"); got != tt.en {
			t.Errorf("en: %q, want %q", got, tt.en)
		}
	}
}

func TestHasErrors(t *testing.T) {
	if HasErrors([]Problem{{Severity: SeverityWarning}}) || !HasErrors([]Problem{{Severity: SeverityWarning}, {Severity: SeverityError}}) {
		t.Error("HasErrors is wrong")
	}
}
