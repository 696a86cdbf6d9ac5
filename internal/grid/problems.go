package grid

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a problem blocks an import ("error") or is only
// reported ("warning").
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem kinds: stable machine keys, also used as translation keys.
const (
	ProblemBadJSON              = "bad_json"
	ProblemNotFeatureCollection = "not_feature_collection"
	ProblemNotFeature           = "not_feature"
	ProblemBadProperty          = "bad_property"
	ProblemBadGeometryType      = "bad_geometry_type"
	ProblemRingNotClosed        = "ring_not_closed"
	ProblemTooFewPoints         = "too_few_points"
	ProblemSelfIntersection     = "self_intersection"
	ProblemBadCoordinates       = "bad_coordinates"
	ProblemMissingCode          = "missing_code"
	ProblemBadCode              = "bad_code"
	ProblemDuplicateCode        = "duplicate_code"
	ProblemCommunityMismatch    = "community_mismatch"
	ProblemUnknownCommunity     = "unknown_community"
	ProblemUnknownZone          = "unknown_zone"
	ProblemZoneOtherSubdistrict = "zone_other_subdistrict"
	ProblemOverlap              = "overlap"
	ProblemOverlapStored        = "overlap_stored"
	ProblemGap                  = "gap"
	ProblemNotContiguous        = "not_contiguous"
	ProblemBadKind              = "bad_kind"
	ProblemZeroArea             = "zero_area"
	ProblemSelfOverlap          = "self_overlap"
	ProblemTooManyPoints        = "too_many_points"
)

// Problem is one finding about an uploaded grid file or a set of grids.
type Problem struct {
	Feature  int    // 0-based index in the file's features; -1 when about the file or a community as a whole
	Code     string // grid code when known
	Kind     string // one of the Problem* keys
	Severity Severity
	Args     []any // values for the message template, in the order the template names them
}

// FeatureRef is a 0-based feature index used as a message argument.
// It is printed 1-based, as people count.
type FeatureRef int

// RingRef names a ring of a polygon in a message argument:
// 0 is the exterior ring, k > 0 the k-th hole.
type RingRef int

type text struct{ zh, en string }

// templates are fmt formats over Problem.Args; FeatureRef and RingRef
// arguments are rendered in the message language first.
var templates = map[string]text{
	ProblemBadJSON:              {"不是有效的 JSON：%v", "not valid JSON: %v"},
	ProblemNotFeatureCollection: {"顶层对象不是 FeatureCollection（type 为 %q）", "the top-level object is not a FeatureCollection (type is %q)"},
	ProblemNotFeature:           {"不是 Feature 对象", "is not a Feature object"},
	ProblemBadProperty:          {"属性 %v 的值无效：%v", "property %v has an invalid value: %v"},
	ProblemBadGeometryType:      {"几何类型为 %v，应为 Polygon（或只含一个多边形的 MultiPolygon）", "geometry type is %v; expected Polygon (or a MultiPolygon holding exactly one polygon)"},
	ProblemRingNotClosed:        {"%v未闭合（首末点不同）", "%v is not closed (first and last positions differ)"},
	ProblemTooFewPoints:         {"%v只有 %v 个点，至少需要 4 个（含闭合点）", "%v has only %v positions; at least 4 are needed (including the closing one)"},
	ProblemSelfIntersection:     {"%v自相交，交点约在 (%v, %v)", "%v crosses itself near (%v, %v)"},
	ProblemBadCoordinates:       {"坐标无效（应为有限数值，经度 -180～180，纬度 -90～90）：%v", "invalid coordinates (must be finite, longitude -180..180, latitude -90..90): %v"},
	ProblemMissingCode:          {"缺少网格编码（属性 code）", "missing grid code (property code)"},
	ProblemBadCode:              {"网格编码 %q 格式不对：应为 15 位数字或大写字母（12 位社区编码 + 3 位序号）", "grid code %q is malformed: it must be 15 digits or capital letters (12-character community code + 3-digit number)"},
	ProblemDuplicateCode:        {"网格编码与第 %v 个要素重复", "grid code repeats the one of feature %v"},
	ProblemCommunityMismatch:    {"社区编码 %v 与网格编码前 12 位 %v 不一致", "community code %v differs from the first 12 characters of the grid code, %v"},
	ProblemUnknownCommunity:     {"社区编码 %v 不存在", "community %v does not exist"},
	ProblemUnknownZone:          {"片区编码 %v 不存在", "zone %v does not exist"},
	ProblemZoneOtherSubdistrict: {"片区 %v 属于街道 %v，而网格属于街道 %v", "zone %v belongs to subdistrict %v, but the grid lies in subdistrict %v"},
	ProblemOverlap:              {"与第 %v 个要素（%v）重叠，例如在 (%v, %v) 处", "overlaps feature %v (%v), for example at (%v, %v)"},
	ProblemOverlapStored:        {"与已入库的网格 %v 重叠，例如在 (%v, %v) 处", "overlaps the stored grid %v, for example at (%v, %v)"},
	ProblemGap:                  {"社区 %v 的网格之间有约 %v 平方米的空隙，位于 (%v, %v) 附近", "community %v has a gap of about %v m² between its grids, near (%v, %v)"},
	ProblemNotContiguous:        {"社区 %v 的网格分成 %v 块互不相连的区域", "the grids of community %v form %v separate pieces"},
	ProblemBadKind:              {"网格类型 %q 无效：应为 basic（基础网格）或 dedicated（专属网格）", "grid kind %q is invalid: it must be basic or dedicated"},
	ProblemZeroArea:             {"%v几乎没有面积（约 %v 平方米，至少应为 %v 平方米），可能是点重合或共线", "%v encloses almost no area (about %v m²; at least %v m² is needed): its positions may coincide or lie on one line"},
	ProblemSelfOverlap:          {"%v的边沿原路折返或重叠，约在 (%v, %v) 处", "%v runs back over its own edge near (%v, %v)"},
	ProblemTooManyPoints:        {"多边形有 %v 个点，每个网格最多 %v 个，请先简化边界", "the polygon has %v positions; a grid may have at most %v, so simplify the boundary first"},
}

// Message renders the problem for people. lang is "zh-CN" (the default) or
// "en"; features are counted from 1 in the text.
func (p Problem) Message(lang string) string {
	en := strings.HasPrefix(strings.ToLower(lang), "en")
	var b strings.Builder
	if p.Feature >= 0 {
		switch {
		case en && p.Code != "":
			fmt.Fprintf(&b, "feature %d (%s): ", p.Feature+1, p.Code)
		case en:
			fmt.Fprintf(&b, "feature %d: ", p.Feature+1)
		case p.Code != "":
			fmt.Fprintf(&b, "第 %d 个要素（%s）：", p.Feature+1, p.Code)
		default:
			fmt.Fprintf(&b, "第 %d 个要素：", p.Feature+1)
		}
	}
	t, ok := templates[p.Kind]
	if !ok {
		b.WriteString(p.Kind)
		return b.String()
	}
	format := t.zh
	if en {
		format = t.en
	}
	args := make([]any, len(p.Args))
	for i, a := range p.Args {
		args[i] = localArg(a, en)
	}
	fmt.Fprintf(&b, format, args...)
	return b.String()
}

func localArg(a any, en bool) any {
	switch v := a.(type) {
	case FeatureRef:
		return int(v) + 1
	case RingRef:
		switch {
		case v == 0 && en:
			return "the outer ring"
		case v == 0:
			return "外环"
		case en:
			return fmt.Sprintf("inner ring %d", int(v))
		default:
			return fmt.Sprintf("第 %d 个内环", int(v))
		}
	}
	return a
}

// sortProblems puts problems in feature order, keeping the order within a
// feature; problems about the file or a community (Feature -1) go last.
func sortProblems(problems []Problem) {
	sort.SliceStable(problems, func(i, j int) bool {
		fi, fj := problems[i].Feature, problems[j].Feature
		return fi >= 0 && (fj < 0 || fi < fj)
	})
}

// HasErrors reports whether any problem has severity "error".
func HasErrors(problems []Problem) bool {
	for _, p := range problems {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

func errorAt(feature int, code, kind string, args ...any) Problem {
	return Problem{Feature: feature, Code: code, Kind: kind, Severity: SeverityError, Args: args}
}

func warningAt(feature int, code, kind string, args ...any) Problem {
	return Problem{Feature: feature, Code: code, Kind: kind, Severity: SeverityWarning, Args: args}
}
