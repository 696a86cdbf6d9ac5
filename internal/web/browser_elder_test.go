package web_test

import (
	"testing"

	"github.com/yiwang-gov/yiwang/internal/apptest"
	"github.com/yiwang-gov/yiwang/internal/db"
)

// Issue 14, 长辈模式: the toggle on the report form makes the text larger (the computed font size
// grows), hides the optional fields, keeps the choice on the phone across pages and is in the
// account menu too; 说一说 is offered only where the browser has speech recognition.
func TestBrowserElder(t *testing.T) {
	s := apptest.Start(t, db.SQLite)
	b := startBrowser(t, s.URL)
	resident := b.tab(t, 390, 844)
	resident.geolocate(reportLat, reportLng)
	resident.login("resident1", apptest.DemoPassword)
	resident.open("/report", "#report-form")
	resident.waitFor(`document.getElementById('elder-toggle') && document.querySelector('.nav-user .elder-toggle')`)
	size := func() float64 {
		return eval[float64](resident, `parseFloat(getComputedStyle(document.getElementById('description')).fontSize) + parseFloat(getComputedStyle(document.body).fontSize)`)
	}
	shown := func(selector string) bool {
		return eval[bool](resident, `(() => { const n = document.querySelector('`+selector+`'); return Boolean(n && n.offsetParent); })()`)
	}
	before := size()
	if !shown(".category-field") || !shown("#address") {
		t.Fatal("the optional fields should show before large mode")
	}
	resident.click("#elder-toggle")
	resident.waitFor(`document.documentElement.classList.contains('elder')`)
	if after := size(); after <= before*1.15 {
		t.Errorf("font sizes %.1f → %.1f: large mode should enlarge the text", before, after)
	}
	if shown(".category-field") || shown("#address") || shown("#anonymous") {
		t.Error("large mode should hide the optional fields (category, address, anonymity)")
	}
	if !shown("#description") || !shown(".photo-pick") || !shown("#report-submit") {
		t.Error("large mode must keep the photo, the description and the submit button")
	}
	speech := eval[bool](resident, `Boolean(window.SpeechRecognition || window.webkitSpeechRecognition)`)
	if got := eval[bool](resident, `Boolean(document.getElementById('speak-button'))`); got != speech {
		t.Errorf("说一说 button present %v, speech recognition offered %v", got, speech)
	}
	resident.fullShot("elder-report")

	// Remembered: my reports opens in large mode; the account menu turns it off.
	resident.open("/my", "#my-cases")
	resident.waitFor(`document.documentElement.classList.contains('elder')`)
	resident.shot("elder-my")
	resident.waitFor(`(document.querySelector('.nav-user .elder-toggle').click(), !document.documentElement.classList.contains('elder'))`)
	resident.open("/report", "#report-form")
	resident.waitFor(`document.getElementById('elder-toggle')`)
	if eval[bool](resident, `document.documentElement.classList.contains('elder')`) {
		t.Error("large mode turned off in the menu is still on")
	}
}
