package search

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"
)

// latency10k runs TestLatency10k, which prints the search latency percentiles at 10 000 documents:
//
//	go test -run TestLatency10k -latency10k -v ./internal/directory/search/
var latency10k = flag.Bool("latency10k", false, "measure search latency over 10 000 documents")

// communities name the sites a city's services are offered at; each fixture service is repeated
// at as many of them as it takes to reach n documents.
var communities = []string{"和平", "长安", "新华", "东湖", "滨江", "光明", "幸福", "胜利", "建设", "解放",
	"人民", "友谊", "团结", "红旗", "朝阳", "向阳", "青年", "文化", "花园", "锦绣", "民主", "前进", "金桥",
	"翠苑", "桂花", "梅园", "丰收", "湖滨", "南湖", "北湖", "西湖", "江岸", "汉江", "黄鹤", "龙泉", "凤凰",
	"白沙", "青山", "绿洲", "春晓", "秋实", "新村", "工农", "兴业", "复兴", "振兴", "和谐", "富强", "健康",
	"平安", "安居", "乐业", "育才", "书香", "枫林", "柳岸", "荷塘", "竹园", "松林", "桃源", "杏林", "李家",
	"王家", "张家", "刘家", "陈家", "杨家", "赵家", "黄家", "周家", "吴家", "徐家", "孙家", "胡家", "朱家",
	"高家", "林家", "何家", "郭家", "马家", "罗家", "梁家", "宋家", "郑家", "谢家", "韩家", "唐家", "冯家",
	"于家", "董家", "萧家", "程家", "曹家", "袁家", "邓家", "许家", "傅家", "沈家", "曾家", "彭家", "吕家"}

// syntheticDocs makes n documents from the fixture's services, each offered at a community's
// service station: "社保卡申领（幸福社区）" or "幸福社区社区食堂", with the community in the text,
// the keywords and a place near the district's centre.
func syntheticDocs(t testing.TB, n int) ([]Doc, [][]string) {
	base, synonyms := fixtureDocs(t)
	rng := rand.New(rand.NewPCG(1, 2))
	docs := make([]Doc, 0, n)
	for i := 0; len(docs) < n; i++ {
		b := base[i%len(base)]
		c := communities[(i/len(base))%len(communities)] + "社区"
		d := b
		d.ID = fmt.Sprintf("%s-%d", b.ID, i)
		if i%2 == 0 {
			d.Name = b.Name + "（" + c + "）"
		} else {
			d.Name = c + b.Name
		}
		d.Keywords = append(slices.Clone(b.Keywords), c+"服务站")
		d.Text = b.Text + " 办理地点：" + c + "党群服务中心一楼大厅，工作日上午九点至下午五点。"
		d.Places = []Point{{Lat: 30.55 + rng.Float64()*0.1, Lng: 114.25 + rng.Float64()*0.12}}
		docs = append(docs, d)
	}
	return docs, synonyms
}

// benchQueries mix what residents type: Chinese words and phrases, aliases, pinyin, initials,
// typos, filters.
var benchQueries = []Query{
	{Q: "社保"}, {Q: "社保卡"}, {Q: "社保卡丢了怎么办"}, {Q: "医保"}, {Q: "居住证"}, {Q: "我要办居住证"},
	{Q: "暂住证"}, {Q: "哪里可以打疫苗"}, {Q: "老年卡"}, {Q: "高龄津贴"}, {Q: "低保"}, {Q: "残疾证"},
	{Q: "失业登记"}, {Q: "社区食堂"}, {Q: "快递"}, {Q: "开锁"}, {Q: "公证"}, {Q: "不动产登记"},
	{Q: "结婚登记"}, {Q: "办个健康证要多少钱"}, {Q: "新生儿上户口"}, {Q: "异地就医"}, {Q: "门特"},
	{Q: "shebao"}, {Q: "sb"}, {Q: "yb"}, {Q: "yibao"}, {Q: "juzhuzheng"}, {Q: "jzz"}, {Q: "laonianka"},
	{Q: "shbao"}, {Q: "yibo"}, {Q: "jzhuzheng"}, {Q: "juzhuzhen"}, {Q: "gongjijng"}, {Q: "she"},
	{Q: "社保ka"}, {Q: "12345"}, {Q: "hpv"}, {Q: "便民"}, {Q: "证"},
	{Q: "疫苗", Near: &Point{Lat: 30.6, Lng: 114.3}},
	{Q: "社保", Category: "social_insurance", Online: true},
	{Q: "", Category: "convenience", Near: &Point{Lat: 30.6, Lng: 114.3}, RadiusM: 3000},
}

// searchLatencies runs every bench query rounds times over ix and returns each search's duration.
func searchLatencies(ix *Index, rounds int) []time.Duration {
	out := make([]time.Duration, 0, rounds*len(benchQueries))
	for range rounds {
		for _, q := range benchQueries {
			start := time.Now()
			ix.Search(q)
			out = append(out, time.Since(start))
		}
	}
	return out
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkSearch10k searches 10 000 documents with benchQueries in turn; besides ns/op it reports
// the 95th percentile of one search as p95-ns/op.
func BenchmarkSearch10k(b *testing.B) {
	docs, synonyms := syntheticDocs(b, 10000)
	ix := Build(docs, synonyms)
	b.ReportAllocs()
	b.ResetTimer()
	times := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		q := benchQueries[i%len(benchQueries)]
		i++
		start := time.Now()
		ix.Search(q)
		times = append(times, time.Since(start))
	}
	b.ReportMetric(float64(percentile(times, 0.95).Nanoseconds()), "p95-ns/op")
}

// BenchmarkBuild measures building the index of the fixture's 95 services repeated to n.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{300, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			docs, synonyms := syntheticDocs(b, n)
			segmenter() // loaded once per process, not part of a build
			for b.Loop() {
				Build(docs, synonyms)
			}
		})
	}
}

// BenchmarkSuggest10k suggests names for prefixes as typed, over 10 000 documents.
func BenchmarkSuggest10k(b *testing.B) {
	docs, synonyms := syntheticDocs(b, 10000)
	ix := Build(docs, synonyms)
	prefixes := []string{"s", "sh", "she", "社", "社保", "居住", "jz", "yb", "老年", "疫苗"}
	i := 0
	for b.Loop() {
		ix.Suggest(prefixes[i%len(prefixes)], 8)
		i++
	}
}

// TestLatency10k prints search latency percentiles at 10 000 documents (with -latency10k); it checks
// nothing about speed, which depends on the machine.
func TestLatency10k(t *testing.T) {
	if !*latency10k {
		t.Skip("run with -latency10k")
	}
	docs, synonyms := syntheticDocs(t, 10000)
	segmenter()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	ix := Build(docs, synonyms)
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("build %d docs: %v, index heap %.1f MB (%d suffixes, %d + %d spellings, %d text words)", ix.Len(), took,
		float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), len(ix.suffixes), len(ix.full), len(ix.initials), len(ix.text))
	searchLatencies(ix, 3) // warm up
	times := searchLatencies(ix, 50)
	t.Logf("%d searches: p50 %v, p95 %v, p99 %v, max %v", len(times), percentile(times, 0.5),
		percentile(times, 0.95), percentile(times, 0.99), slices.Max(times))
	for _, q := range benchQueries {
		var ds []time.Duration
		for range 20 {
			start := time.Now()
			ix.Search(q)
			ds = append(ds, time.Since(start))
		}
		t.Logf("%-40q %v", fmt.Sprintf("%s %s", q.Q, q.Category), percentile(ds, 0.5))
	}
}
