package sim

// trsSite is the chrome of one site on the Guizhou TRS platform: the same
// templates, other names, navigation and footer.
type trsSite struct {
	name        string // SiteName, logo and <title> suffix
	domain      string // SiteDomain
	idCode      string // SiteIDCode
	home        string // URL path of the home page
	nav         string // items of ul.Nav
	crumbs      string // breadcrumb links between 首页 and the section
	section     string // the collection the columns belong to
	sectionPath string // its URL path; column lists live below it
	leftNav     [][2]string
	pager       string // the inline pager function
	footer      string // paragraphs of div.Footer
}

// trsSiteOf returns the chrome of site (Guizhou or Guiyang).
func trsSiteOf(site string) trsSite {
	if site == Guiyang {
		return trsSite{
			name: "贵阳市人民政府", domain: "www.guiyang.gov.cn", idCode: "5201000056", home: "/guiyang/",
			nav:         `<li><a href="/guiyang/">首页</a></li><li><a href="/guiyang/zwgk/">政务公开</a></li><li><a href="/guiyang/">政务服务</a></li><li><a href="/guiyang/">互动交流</a></li><li><a href="/guiyang/">走进贵阳</a></li>`,
			crumbs:      `<a href="/guiyang/zwgk/">政务公开</a> &gt; <a href="/guiyang/zwgk/zfxxgks/fdzdgknr/">法定主动公开内容</a> &gt; <a href="/guiyang/zwgk/zfxxgks/fdzdgknr/lzyj/">履职依据</a>`,
			section:     "规范性文件",
			sectionPath: "/guiyang/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/",
			leftNav:     [][2]string{{"szfgfxwj", "市政府文件"}, {"szfbgtgfxwj", "市政府办公厅文件"}, {"bmgfxwj", "部门规范性文件"}},
			pager:       "createPage",
			footer:      "<p>主办单位：贵阳市人民政府办公厅　承办单位：贵阳市大数据发展管理局</p>\n<p>网站标识码：5201000056　黔ICP备05000002号　贵公网安备52010202000002号</p>\n",
		}
	}
	return trsSite{
		name: "贵州省人民政府", domain: "www.guizhou.gov.cn", idCode: "5200000001", home: "/guizhou/",
		nav:         `<li><a href="/guizhou/">首页</a></li><li><a href="/guizhou/zwgk/">政务公开</a></li><li><a href="/guizhou/">政务服务</a></li><li><a href="/guizhou/">互动交流</a></li><li><a href="/guizhou/">走进贵州</a></li>`,
		crumbs:      `<a href="/guizhou/zwgk/">政务公开</a> &gt; <a href="/guizhou/zwgk/zcfg/">政策法规</a>`,
		section:     "省政府文件",
		sectionPath: guizhouBase,
		leftNav:     [][2]string{{"szfl", "省政府令"}, {"qff", "黔府发"}, {"qfh", "黔府函"}, {"qfbf", "黔府办发"}, {"qfbh", "黔府办函"}},
		pager:       "createPageHTML",
		footer:      "<p>主办单位：贵州省人民政府办公厅　承办单位：贵州省大数据发展管理局</p>\n<p>网站标识码：5200000001　黔ICP备05000001号　贵公网安备52010202000001号</p>\n",
	}
}
