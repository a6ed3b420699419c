package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"onestop/search"
	"onestop/services/projects"
)

// demoIdeas are project ideas per industry of the guidance catalogue:
// a name, a one-line summary, what it needs and the tags.
var demoIdeas = map[string][][4]string{
	"technology": {
		{"智慧社區門禁系統集成", "為老舊小區加裝人臉識別門禁與訪客管理", "軟件開發與安裝調試團隊，前期投入設備與服務器", "物聯網|安防"},
		{"農業無人機植保服務", "為種植大戶提供無人機噴灑與作物監測", "購置無人機兩台，需取得操作員證書", "無人機|植保"},
		{"中小企業網站與小程序開發", "為本地商戶開發網站、小程序和網上商城", "三人技術團隊，辦公場地可入駐孵化基地", "軟件|小程序"},
		{"3D打印創意工作室", "承接教學模型、文創產品與零件打樣", "購置工業級3D打印機，租用小型工作室", "3D打印|文創"},
	},
	"resource_recycling": {
		{"社區舊衣回收與再製", "回收舊衣物，分揀後再製為布包和拖把", "設置回收箱，租用分揀倉庫", "回收|環保"},
		{"廢舊電池與電子產品回收站", "規範回收廢舊電池、手機和小家電", "取得回收資質，建設暫存點", "電子垃圾|回收"},
		{"秸稈綜合利用加工", "將農作物秸稈加工為飼料和生物質燃料", "購置粉碎打包設備，與合作社簽訂收購協議", "秸稈|生物質"},
		{"餐廚垃圾堆肥", "將餐廳廚餘處理為有機肥供應菜農", "建設發酵場地，辦理環評手續", "堆肥|有機肥"},
	},
	"labour_intensive": {
		{"服裝來料加工廠", "承接品牌服裝的裁剪與縫紉訂單", "租用廠房，招用縫紉工二十人", "服裝|加工"},
		{"電子元件組裝車間", "為電子企業提供線束與元件組裝", "需要潔淨車間與崗前培訓", "組裝|電子"},
		{"手工藝品編織合作坊", "組織婦女在家編織竹藤工藝品出口", "提供原料與培訓，統一收購", "編織|手工"},
		{"物流分揀外包服務", "為快遞公司提供包裹分揀與裝卸", "與物流園簽約，組建班組", "物流|分揀"},
	},
	"agri_processing": {
		{"豆製品加工坊", "生產豆腐、豆乾供應農貿市場", "購置磨漿與壓榨設備，辦理食品生產許可", "豆腐|食品"},
		{"特色醬菜醃製", "用本地蔬菜醃製醬菜，線上線下銷售", "建設醃製池，取得小作坊登記", "醬菜|特產"},
		{"鮮果冷鏈分級包裝", "為果農提供分級、預冷與包裝服務", "建設冷庫與分級線", "冷鏈|水果"},
		{"手工掛麵作坊", "傳統工藝手工掛麵，打造地方品牌", "晾曬場地與包裝設備", "掛麵|非遺"},
	},
	"trade_promotion": {
		{"農產品直播帶貨", "幫助農戶通過短視頻和直播銷售土特產", "直播設備與選品倉庫，培訓主播", "直播|電商"},
		{"社區團購自提點", "在小區開設團購自提點與便民超市", "租用商鋪，接入團購平台", "團購|零售"},
		{"跨境電商小家電代運營", "為本地工廠運營海外電商店鋪", "需要外語與運營人才", "跨境|電商"},
		{"鄉村特產展銷店", "在城區開設本地特產展示與銷售門店", "門店租賃與裝修", "特產|門店"},
	},
	"community_service": {
		{"居家養老上門服務", "為高齡和失能老人提供助餐、助浴、陪護", "招募護理員並培訓，購置服務車輛", "養老|家政"},
		{"社區托育中心", "為雙職工家庭提供三歲以下嬰幼兒託管", "取得托育備案，場地需符合消防要求", "托育|幼兒"},
		{"家電清洗與維修", "上門清洗空調、洗衣機並提供小修", "購置清洗設備，員工持證上崗", "家電|維修"},
		{"社區洗衣店", "提供衣物乾洗、水洗與上門收送", "購置洗衣設備，租用臨街商鋪", "洗衣|便民"},
	},
	"construction_labour": {
		{"舊房翻新裝修隊", "承接舊房改造、水電與防水工程", "組建持證工匠班組，購置工具", "裝修|翻新"},
		{"建築勞務分包公司", "為建築企業提供木工、鋼筋工勞務分包", "取得勞務資質，簽訂勞動合同", "勞務|建築"},
		{"綠化養護工程隊", "承接小區與道路綠化種植和養護", "購置綠化機械，招用當地村民", "綠化|養護"},
		{"防水保溫施工", "屋面防水與外牆保溫專業施工", "施工人員培訓與材料採購", "防水|施工"},
	},
	"information_service": {
		{"財稅代理記賬", "為小微企業和個體戶提供記賬報稅", "持證會計兩名，使用雲財務軟件", "記賬|財稅"},
		{"人力資源外包服務", "為中小企業代辦招聘、社保與工資核算", "熟悉勞動保障政策的團隊", "人力資源|社保"},
		{"本地生活信息平台", "匯集本地招聘、租房與便民信息", "開發小程序，招募地推人員", "信息平台|本地"},
		{"數據標註工作室", "承接人工智能訓練數據的標註任務", "電腦二十台，培訓標註員", "數據標註|人工智能"},
	},
}

var demoGroups = [][]string{{"college_graduate"}, {"registered_unemployed"}, {"returning_migrant_worker"}, {"land_expropriated_farmer"},
	{"college_graduate", "returned_overseas_student"}, {"retired_soldier"}, {"disabled", "registered_unemployed"}, {}}

// ProjectRows builds n projects across all eight industries and the
// districts, half of them in Simplified characters, most recommended.
func ProjectRows(n int) []projects.Row {
	var rows []projects.Row
	districts, industries := demoDistricts(), demoIndustries()
	for i := range n {
		ind := industries[i%len(industries)]
		ideas := demoIdeas[ind]
		idea := ideas[(i/len(industries))%len(ideas)]
		d := districts[(i*7)%len(districts)]
		title, summary, desc := idea[0], idea[1], idea[1]+"。"+idea[2]+"。"
		if i/len(industries)/len(ideas) > 0 {
			title = fmt.Sprintf("%s（%d期）", idea[0], i/len(industries)/len(ideas)+1)
		}
		tags := strings.Split(idea[3], "|")
		if i%2 == 1 { // the other half arrives in Simplified characters
			title, summary, desc = search.Fold(title), search.Fold(summary), search.Fold(desc)
			for j := range tags {
				tags[j] = search.Fold(tags[j])
			}
		}
		status := projects.Recommended
		switch i % 10 {
		case 7:
			status = projects.Submitted
		case 9:
			status = projects.NotRecommended
		}
		rows = append(rows, projects.Row{Status: status, Input: projects.Input{
			ExternalID: fmt.Sprintf("demo-%04d", i+1), Title: title, Summary: summary, Description: desc,
			Industry: ind, District: d, InvestmentYuan: int64(5000 * (1 + (i*37)%120)), Risk: projects.Risks[(i/3)%3],
			ExpectedJobs: 1 + (i*13)%30, TargetGroups: demoGroups[i%len(demoGroups)], Tags: tags,
			Source: projects.Sources[i%len(projects.Sources)]}})
	}
	return rows
}

// Projects imports the demo's library of projects alone (a test's library).
func (l *Loader) Projects(ctx context.Context) error { return l.a.projects(ctx) }

// projects imports 320 projects into the library.
func (a *areas) projects(ctx context.Context) error {
	var b strings.Builder
	for _, r := range ProjectRows(320) {
		fmt.Fprintln(&b, jsonLine(r))
	}
	rep, err := a.Projects.Import(ctx, strings.NewReader(b.String()), "jsonl", nil)
	if err != nil {
		return err
	}
	if len(rep.Rejected) > 0 {
		return fmt.Errorf("demo projects: line %d: %v", rep.Rejected[0].Line, rep.Rejected[0].Faults)
	}
	return nil
}

func jsonLine(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
