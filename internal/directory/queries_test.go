package directory_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/directory"
)

// demoQueries are what residents type, with the service they mean: the top result must be it
// (exact names), or one of the entries that all fit (contains, for 社保 which has several cards).
// Chinese words and phrases, full pinyin, initials, aliases, the editors' synonyms and pinyin
// typos, over the demo's 412 entries (internal/demo/data/services.json).
var demoQueries = []struct {
	q, exact, contains string
}{
	{q: "社保", contains: "社保"},
	{q: "sb", contains: "社保"},
	{q: "shebao", contains: "社保"},
	{q: "shbao", contains: "社保"}, // a letter missing
	{q: "sbk", contains: "社保卡"},
	{q: "社保卡补办", exact: "社保卡补办"},
	{q: "社保卡丢了", exact: "社保卡补办"},
	{q: "医保", contains: "医保"},
	{q: "yb", contains: "医保"},
	{q: "yibao", contains: "医保"},
	{q: "yibo", contains: "医保"}, // a letter missing
	{q: "异地就医", exact: "异地就医备案"},
	{q: "医保报销", contains: "报销"},
	{q: "哪里可以打疫苗", contains: "接种"},
	{q: "打疫苗", contains: "接种"},
	{q: "老年卡", contains: "老年人"},
	{q: "敬老卡", exact: "老年人优待证办理"},
	{q: "laonianka", contains: "老年人"},
	{q: "办居住证", contains: "居住证申领"},
	{q: "我要办居住证", contains: "居住证申领"},
	{q: "暂住证", contains: "居住证申领"}, // the editors' synonym
	{q: "juzhuzheng", contains: "居住证申领"},
	{q: "jzz", contains: "居住证申领"},
	{q: "juzhuzhen", contains: "居住证申领"}, // a letter missing
	{q: "身份证", contains: "居民身份证"},
	{q: "sfz", contains: "居民身份证"},
	{q: "低保", exact: "最低生活保障申请"},
	{q: "dibao", exact: "最低生活保障申请"},
	{q: "残疾证", contains: "残疾人证"},
	{q: "准生证", exact: "生育登记"},
	{q: "生育登记", exact: "生育登记"},
	{q: "长寿金", exact: "高龄津贴申领"},
	{q: "高龄津贴", exact: "高龄津贴申领"},
	{q: "失业金", exact: "失业保险金申领"},
	{q: "灵活就业", exact: "灵活就业人员参保登记"},
	{q: "家庭医生", exact: "家庭医生签约"},
	{q: "jtys", exact: "家庭医生签约"},
	{q: "快递", exact: "快递代收代寄"},
	{q: "kuaidi", exact: "快递代收代寄"},
	{q: "修家电", exact: "家电维修"},
	{q: "家政", exact: "家政保洁预约"},
	{q: "老年食堂", exact: "长者助餐"},
	{q: "结婚登记", exact: "结婚登记"},
	{q: "法律援助", exact: "法律援助申请"},
	{q: "读者证", exact: "读者证办理"},
	{q: "体检", contains: "体检"},
	{q: "理发", exact: "老年人便民理发"},
	{q: "入学", contains: "入学"},
}

// demoQueryTable runs the table (on both engines: TestDirectory).
func demoQueryTable(t *testing.T, srv *apptest.Server, _ *apptest.Clock) {
	if len(demoQueries) < 40 {
		t.Fatalf("the table has %d queries; the issue asks for 40 or more", len(demoQueries))
	}
	anon := srv.Anonymous(t)
	for _, c := range demoQueries {
		f := searchFor(t, anon, "q="+url.QueryEscape(c.q)+"&limit=5")
		if len(f.Results) == 0 {
			t.Errorf("%s: nothing found, want %s%s", c.q, c.exact, c.contains)
			continue
		}
		top := f.Results[0].Name
		if (c.exact != "" && top != c.exact) || (c.contains != "" && !strings.Contains(top, c.contains)) {
			t.Errorf("%s: top result %s (of %v), want %s%s", c.q, top, names(f), c.exact, c.contains)
		}
	}
	// Words no entry holds find nothing, not entries sharing a character.
	for _, q := range []string{"火星签证", "不动产登记", "zzzzzz"} {
		if f := searchFor(t, anon, "q="+url.QueryEscape(q)); len(f.Results) != 0 {
			t.Errorf("%s found %v", q, names(f))
		}
	}
	// An exact name comes before entries that only hold it as an alias or in their text.
	f := searchFor(t, anon, "q="+url.QueryEscape("生育登记"))
	if i := slices.IndexFunc(f.Results, func(r directory.Result) bool { return r.Match != "name" }); i >= 0 && slices.ContainsFunc(f.Results[i:], func(r directory.Result) bool { return r.Match == "name" }) {
		t.Errorf("生育登记: a name match after a weaker one: %v", f.Results)
	}
}
