package sim

// The columns below are served only when Options.Sites enables them.

const (
	gwywjList = "/govcn/zhengce/zhengceku/gwywj/TONGYONGGAILAN.json"
	bmwjList  = "/govcn/zhengce/zhengceku/bmwj/TONGYONGGAILAN.json"
	jieduList = "/govcn/zhengce/jiedu/ZCJD_QZ.json"

	guiyangList = "/guiyang/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/szfgfxwj/"
	countyList  = "/county/zwgk/zcwj/"
)

// Topic names by policy field, for the organs that write about them.
var (
	ecoTopics    = []string{"生态环境保护", "大气污染防治", "水污染防治", "土壤污染防治", "生物多样性保护", "固体废物污染环境防治"}
	waterTopics  = []string{"河长制湖长制", "水污染防治"}
	carbonTopics = []string{"碳达峰碳中和", "绿色低碳发展", "营商环境"}
)

var (
	colGWYWJ = column{
		site: GovCN, group: GovCNAll, slug: "gwywj", name: "国务院文件", list: gwywjList, dir: govcnDir, tmpl: tmplGovA,
		kinds: []docKind{{prefix: "国函", issuer: "国务院", head: "国务院",
			reply: []string{"贵州省", "云南省", "四川省", "广西壮族自治区", "重庆市"}}},
		weights:  []int{1},
		approver: "国务院", titlePara: true, indexOrg: "000014349",
	}
	colBMWJ = column{
		site: GovCN, group: GovCNAll, slug: "bmwj", name: "国务院部门文件", list: bmwjList, dir: "/govcn/zhengce/zhengceku/", tmpl: tmplGovLib,
		kinds: []docKind{
			{prefix: "环大气", issuer: "生态环境部", origin: "生态环境部网站", topics: ecoTopics,
				addressee: "各省、自治区、直辖市生态环境厅（局），新疆生产建设兵团生态环境局："},
			{prefix: "环办水体", issuer: "生态环境部办公厅", origin: "生态环境部网站", topics: waterTopics,
				addressee: "各省、自治区、直辖市生态环境厅（局），新疆生产建设兵团生态环境局："},
			{prefix: "生态环境部令", issuer: "生态环境部", origin: "生态环境部网站", topics: ecoTopics,
				decree: true, decreeBase: 30, meeting: "生态环境部第%d次部务会议", signer: "部长"},
			{prefix: "发改环资", issuer: "国家发展改革委", origin: "国家发展改革委网站", topics: carbonTopics,
				addressee: "各省、自治区、直辖市及计划单列市、新疆生产建设兵团发展改革委："},
			{prefix: "发改环资", issuer: "国家发展改革委 生态环境部", origin: "国家发展改革委网站", topics: []string{"碳达峰碳中和", "绿色低碳发展", "生态保护补偿"},
				addressee: "各省、自治区、直辖市及新疆生产建设兵团发展改革委、生态环境厅（局）："},
			{prefix: "自然资发", issuer: "自然资源部", origin: "自然资源部网站", topics: []string{"生物多样性保护", "生态保护补偿", "土壤污染防治"},
				addressee: "各省、自治区、直辖市及计划单列市自然资源主管部门，新疆生产建设兵团自然资源局："},
			{prefix: "水河湖", issuer: "水利部", origin: "水利部网站", topics: waterTopics,
				addressee: "各省、自治区、直辖市水利（水务）厅（局），新疆生产建设兵团水利局："},
			{prefix: "工信部节", issuer: "工业和信息化部", origin: "工业和信息化部网站", topics: []string{"绿色低碳发展", "固体废物污染环境防治", "碳达峰碳中和"},
				addressee: "各省、自治区、直辖市及计划单列市、新疆生产建设兵团工业和信息化主管部门："},
			{prefix: "财资环", issuer: "财政部 生态环境部", origin: "财政部网站", topics: []string{"生态保护补偿", "土壤污染防治", "大气污染防治"},
				addressee: "各省、自治区、直辖市、计划单列市财政厅（局）、生态环境厅（局）："},
			{prefix: "教基", issuer: "教育部", origin: "教育部网站", topics: []string{"义务教育", "职业教育"},
				addressee: "各省、自治区、直辖市教育厅（教委），新疆生产建设兵团教育局："},
			{prefix: "人社部发", issuer: "人力资源社会保障部", origin: "人力资源社会保障部网站", topics: []string{"稳就业", "职业教育"},
				addressee: "各省、自治区、直辖市及新疆生产建设兵团人力资源社会保障厅（局）："},
			{prefix: "民发", issuer: "民政部", origin: "民政部网站", topics: []string{"养老服务", "乡村振兴"},
				addressee: "各省、自治区、直辖市民政厅（局），新疆生产建设兵团民政局："},
		},
		weights:   []int{4, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1},
		titlePara: true,
	}
	colJiedu = column{
		site: GovCN, group: GovCNAll, slug: "jiedu", name: "政策解读", list: jieduList, dir: "/govcn/zhengce/", tmpl: tmplGovB,
	}

	colSZFL = column{
		site: Guizhou, group: GuizhouAll, slug: "szfl", name: "省政府令", list: guizhouBase + "szfl/", dir: guizhouBase + "szfl/", tmpl: tmplTRS,
		kinds: []docKind{{prefix: "省政府令", issuer: "贵州省人民政府", head: "贵州省",
			decree: true, decreeBase: 200, meeting: "省人民政府第%d次常务会议", signer: "省长"}},
		weights:    []int{1},
		planPrefix: "贵州省", addressee: addresseeGuizhou, approver: "省人民政府",
		category: categoryGuizhou, origin: originGuizhou, indexOrg: indexOrgGuizhou, prec: byMinute,
	}
	colQFH = column{
		site: Guizhou, group: GuizhouAll, slug: "qfh", name: "黔府函", list: guizhouBase + "qfh/", dir: guizhouBase + "qfh/", tmpl: tmplTRS,
		kinds: []docKind{{prefix: "黔府函", issuer: "贵州省人民政府", head: "省人民政府",
			reply: []string{"贵阳市", "遵义市", "六盘水市", "安顺市", "毕节市", "铜仁市", "黔东南州", "黔南州", "黔西南州"}}},
		weights:    []int{1},
		planPrefix: "贵州省", addressee: addresseeGuizhou, approver: "省人民政府",
		category: categoryGuizhou, origin: originGuizhou, indexOrg: indexOrgGuizhou, prec: byMinute,
	}
	colQFBH = column{
		site: Guizhou, group: GuizhouAll, slug: "qfbh", name: "黔府办函", list: guizhouBase + "qfbh/", dir: guizhouBase + "qfbh/", tmpl: tmplTRS,
		kinds:      []docKind{{prefix: "黔府办函", issuer: "贵州省人民政府办公厅", head: "省人民政府办公厅", letter: "联席会议"}},
		weights:    []int{1},
		planPrefix: "贵州省", addressee: addresseeGuizhou, approver: "省人民政府",
		category: categoryGuizhou, origin: originGuizhou, indexOrg: indexOrgGuizhou, prec: byMinute,
	}
	// colSXFZWJ lists the Guizhou releases that were repealed or expired; it
	// has no releases of its own.
	colSXFZWJ = column{
		site: Guizhou, group: GuizhouAll, slug: "sxfzwj", name: "失效废止文件", list: guizhouBase + "wjxgfzqk/sxfzwj/", tmpl: tmplTRS, prec: byMinute,
	}

	colGuiyang = column{
		site: Guiyang, group: Guiyang, slug: "szfgfxwj", name: "市政府文件", list: guiyangList, dir: guiyangList, tmpl: tmplTRS,
		kinds: []docKind{
			{prefix: "筑府发", issuer: "贵阳市人民政府", head: "市人民政府"},
			{prefix: "筑府办发", issuer: "贵阳市人民政府办公厅", head: "市人民政府办公厅"},
			{prefix: "筑府办函", issuer: "贵阳市人民政府办公厅", head: "市人民政府办公厅", letter: "联席会议"},
		},
		weights:    []int{2, 3, 1},
		planPrefix: "贵阳市", addressee: "各区（市、县）人民政府，市政府各工作部门，市政府各直属机构：", approver: "市人民政府", ecoBias: true,
		category: `政策文件\市政府文件`, origin: "贵阳市人民政府办公厅", indexOrg: "11520100009418870F", prec: byMinute,
	}

	colCounty = column{
		site: County, group: County, slug: "zcwj", name: "政策文件", list: countyList, dir: countyList, tmpl: tmplCounty,
		kinds: []docKind{
			{prefix: "修府发", issuer: "修文县人民政府", head: "修文县人民政府", local: countyPlaces},
			{prefix: "修府办发", issuer: "修文县人民政府办公室", head: "修文县人民政府办公室", local: countyPlaces},
			// A town whose name only GB18030 encodes: 𠀾 is U+2003E.
			{prefix: "𠀾溪府发", issuer: "修文县𠀾溪镇人民政府", head: "𠀾溪镇人民政府", local: []string{"𠀾溪镇", "𠀾溪镇㙟坪村"}},
		},
		weights:    []int{3, 3, 1},
		planPrefix: "修文县", addressee: "各乡（镇）人民政府、街道办事处，县政府各部门，县直各单位：", approver: "县人民政府", ecoBias: true,
		origin: "修文县人民政府办公室", indexOrg: "11520123009426010K", prec: byMinute,
	}
)

// countyPlaces are the places county documents are about. Some carry
// characters outside GBK (𠀾 U+2003E, 㙟 U+365F), so that only a GB18030
// decoder reads them.
var countyPlaces = []string{"龙场街道", "扎佐街道", "六广镇", "谷堡镇", "小箐镇", "𠀾溪镇", "㙟坪水库", "六桶河"}
