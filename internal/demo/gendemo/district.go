package main

// The demo district's organisation: names are real-sounding, boundaries
// and codes are made up. Subdistrict codes follow GB/T 2260-style
// numbering under the district code 350503.

type subdistrictSeed struct {
	name, nameEn, slug string
	communities        []string
	dedicated          []string // names of dedicated grids (专属网格)
	zoneCommunities    int      // the first n communities form the demonstration zone
}

var subdistrictSeeds = []subdistrictSeed{
	{"东海街道", "Donghai Subdistrict", "donghai",
		[]string{"东梅社区", "东星社区", "后埔社区", "法石社区", "宝山社区"},
		[]string{"泉州第五中学专属网格", "东海湾体育中心专属网格", "法石文化街区专属网格"}, 2},
	{"城东街道", "Chengdong Subdistrict", "chengdong",
		[]string{"东岳社区", "浔美社区", "金山社区", "城东社区"},
		[]string{"市第一医院专属网格", "城东农贸市场专属网格"}, 1},
	{"北峰街道", "Beifeng Subdistrict", "beifeng",
		[]string{"招丰社区", "群石社区", "丰山社区", "北峰社区"},
		[]string{"北峰工业园专属网格", "泉州科技中学专属网格"}, 2},
	{"华大街道", "Huada Subdistrict", "huada",
		[]string{"华大社区", "霞淮社区", "星光社区", "华美社区"},
		[]string{"泉州师范学院专属网格", "华大商业广场专属网格"}, 1},
	{"东湖街道", "Donghu Subdistrict", "donghu",
		[]string{"东湖社区", "坪山社区", "东门社区"},
		[]string{"东湖公园专属网格", "市儿童医院专属网格"}, 1},
	{"丰泽街道", "Fengze Subdistrict", "fengze",
		[]string{"丰泽社区", "津淮社区", "湖心社区", "刺桐社区"},
		[]string{"丰泽广场专属网格", "刺桐公园专属网格", "丰泽区实验小学专属网格"}, 2},
	{"泉秀街道", "Quanxiu Subdistrict", "quanxiu",
		[]string{"泉秀社区", "福田社区", "田安社区", "新华社区"},
		[]string{"田安农贸市场专属网格", "浦西商业综合体专属网格"}, 1},
	{"清源街道", "Qingyuan Subdistrict", "qingyuan",
		[]string{"清源社区", "丰海社区", "湖美社区", "乌石社区", "凤山社区", "滨城社区"},
		[]string{"清源山景区入口专属网格", "中心市场专属网格", "泉州第七中学专属网格"}, 2},
}

type departmentSeed struct{ name, nameEn string }

var departmentSeeds = []departmentSeed{
	{"区城市管理局", "District Urban Management Bureau"},
	{"区住房和城乡建设局", "District Housing and Urban-Rural Development Bureau"},
	{"区市场监督管理局", "District Market Supervision Administration"},
	{"区生态环境局", "District Ecology and Environment Bureau"},
	{"区水利局", "District Water Resources Bureau"},
	{"国网泉州供电公司丰泽供电服务中心", "State Grid Quanzhou Power Supply Company, Fengze Service Centre"},
	{"区交通运输局", "District Transport Bureau"},
	{"区卫生健康局", "District Health Commission"},
	{"区教育局", "District Education Bureau"},
	{"区民政局", "District Civil Affairs Bureau"},
	{"区公安分局", "District Public Security Sub-bureau"},
	{"区消防救援大队", "District Fire and Rescue Brigade"},
	{"区自然资源局", "District Natural Resources Bureau"},
	{"区文化体育和旅游局", "District Culture, Sports and Tourism Bureau"},
	{"区应急管理局", "District Emergency Management Bureau"},
	{"区园林绿化中心", "District Landscaping Centre"},
	{"区环境卫生服务中心", "District Sanitation Service Centre"},
	{"泉州市自来水有限公司丰泽营业所", "Quanzhou Water Supply Company, Fengze Office"},
	{"泉州市燃气有限公司丰泽服务站", "Quanzhou Gas Company, Fengze Service Station"},
	{"区人力资源和社会保障局", "District Human Resources and Social Security Bureau"},
	{"区司法局", "District Justice Bureau"},
}

// The shape of district.json, in the order its fields are written.
type (
	districtFile struct {
		Synthetic    bool          `json:"synthetic"`
		Note         string        `json:"note"`
		District     district      `json:"district"`
		Subdistricts []subdistrict `json:"subdistricts"`
		Communities  []community   `json:"communities"`
		Zones        []zone        `json:"zones"`
		Departments  []department  `json:"departments"`
		Users        []user        `json:"users"`
	}
	district struct {
		Code   string `json:"code"`
		Name   string `json:"name"`
		NameEn string `json:"name_en"`
	}
	subdistrict struct {
		Code   string `json:"code"`
		Name   string `json:"name"`
		NameEn string `json:"name_en"`
		Slug   string `json:"slug"`
	}
	community struct {
		Code            string `json:"code"`
		Name            string `json:"name"`
		SubdistrictCode string `json:"subdistrict_code"`
	}
	zone struct {
		Code             string `json:"code"`
		Name             string `json:"name"`
		NameEn           string `json:"name_en"`
		SubdistrictCode  string `json:"subdistrict_code"`
		LeadOrganisation string `json:"lead_organisation"`
	}
	department struct {
		Code    string `json:"code"`
		Name    string `json:"name"`
		NameEn  string `json:"name_en"`
		Level   string `json:"level"`
		OrgCode string `json:"org_code"`
	}
	user struct {
		Username    string `json:"username"`
		DisplayName string `json:"display_name"`
		Phone       string `json:"phone,omitempty"`
		Roles       []role `json:"roles"`
	}
	role struct {
		Role    string `json:"role"`
		OrgCode string `json:"org_code"`
	}
)
