"""The workspaces' whole journey (issue 13) in a real headless Chromium, through the site's own
pages and forms, as the people who make it:

a researcher registers and drafts a project while the checklist beside the form goes from
incomplete to complete without a reload, saves and submits it; the secretariat requests changes
with a note; the researcher reads the note, edits, answers and resubmits; the secretariat
approves; the project is found by the public search; the secretariat plans a roadshow, puts the
project in its lineup (from the suggestions, or by its number), publishes it and invites a
suggested enterprise; an enterprise registers (in Traditional Chinese) and is checked in at the
door; it expresses interest in the project, which opens a lead; the secretariat moves the lead
to landed, and the numbers page counts one more landing in that city.

One test, in steps: a step that breaks fails naming itself and the page it was on. Skipped,
saying why, where no Chromium and chromedriver are installed.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from tests.fixtures.accounts import ENTERPRISE, PASSWORDS, SECRETARIAT
from tests.web.browser import SELENIUM, console_errors, needs_browser, viewport, wait

if SELENIUM:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support.ui import Select

pytestmark = needs_browser

WORD = "Kestrelvolt"  # the distinctive word of the title, searched for on the public site
TITLE_EN = f"{WORD} early warning of thermal runaway in LFP storage cells"
TITLE_ZH = "磷酸铁锂储能电芯热失控早期预警系统"
SUMMARY_ZH = (
    "本系统融合电芯内部气体探测、表面温度阵列与电压内阻在线分析，在磷酸铁锂电芯热失控发生前"
    "十五至三十分钟给出分级预警，并联动储能变流器与消防系统处置。已应用于两座百兆瓦时级电网侧"
    "储能电站，适用于工商业储能柜、通信基站后备电源和换电站等场景，误报率低于千分之一。"
)
SUMMARY_EN = (
    "The system combines gas sensing inside the cells, an array of surface temperature probes "
    "and on-line analysis of voltage and internal resistance to warn of thermal runaway in "
    "lithium iron phosphate cells fifteen to thirty minutes before it starts. It is used in two "
    "grid-side storage stations and suits commercial storage cabinets and battery-swap stations."
)
CITY = "jiangmen"  # where the project wants to land, the roadshow is held and the lead lands
NOTE = "Please add a contact e-mail so that enterprises can reach the team."
ANSWER = "Added the team's contact e-mail, as asked."


@contextmanager
def step(browser: WebDriver, title: str) -> Iterator[None]:
    """A step of the journey: what breaks inside it fails naming the step and the page."""
    try:
        yield
    except Exception as error:
        where = browser.current_url
        raise AssertionError(
            f"{title} — failed at {where}: {type(error).__name__}: {error}"
        ) from error


def sign_in(browser: WebDriver, base_url: str, email: str, password: str, lang: str) -> None:
    browser.delete_all_cookies()  # signs out whoever was signed in
    browser.get(f"{base_url}/login?lang={lang}")
    browser.find_element(By.ID, "f-email").send_keys(email)
    browser.find_element(By.ID, "f-password").send_keys(password, Keys.ENTER)
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".account a.who"))


def set_value(browser: WebDriver, element_id: str, value: str) -> None:
    """A date or time input's value (typing into one depends on the browser's locale)."""
    field = browser.find_element(By.ID, element_id)
    browser.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        field,
        value,
    )


def tick(browser: WebDriver, element_id: str) -> None:
    """A checkbox or radio, opening the <details> it is folded into first."""
    box = browser.find_element(By.ID, element_id)
    folded = box.find_elements(By.XPATH, "ancestor::details[not(@open)]")
    for details in folded:
        details.find_element(By.TAG_NAME, "summary").click()
    if not box.is_selected():
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        label = browser.find_element(By.CSS_SELECTOR, f'label[for="{element_id}"]')
        label.click()
    assert box.is_selected(), element_id


def landings_in(browser: WebDriver, base_url: str, city: str) -> int:
    """The count of landings in ``city`` on /admin/stats (0 when the city has no row yet)."""
    browser.get(f"{base_url}/admin/stats?lang=en")
    table = browser.find_element(By.ID, "table-landings")
    details = table.find_element(By.XPATH, "ancestor::details[1]")
    details.find_element(By.TAG_NAME, "summary").click()  # "The numbers as a table"
    rows = table.find_elements(By.CSS_SELECTOR, f'tbody tr[data-code="{city}"]')
    if not rows:
        return 0
    count = rows[0].find_elements(By.CSS_SELECTOR, "td.num")[0].text
    return int(re.sub(r"\D", "", count))


def test_from_a_researchers_draft_to_a_landing_on_the_numbers_page(
    browser: WebDriver, base_url: str
) -> None:
    viewport(browser, 1440)
    secretariat = (SECRETARIAT, PASSWORDS[SECRETARIAT])
    researcher_email = f"researcher-{uuid.uuid4().hex[:8]}@example.edu.cn"
    researcher = (researcher_email, "a long passphrase for 2026")

    with step(browser, "The secretariat reads the landings by city before"):
        sign_in(browser, base_url, *secretariat, "en")
        landed_before = landings_in(browser, base_url, CITY)

    with step(browser, "A researcher registers and signs in"):
        browser.delete_all_cookies()
        browser.get(f"{base_url}/register?lang=en")
        browser.find_element(By.ID, "f-role-researcher").click()
        browser.find_element(By.ID, "f-organization").send_keys("South China Energy Safety Lab")
        Select(browser.find_element(By.ID, "f-city")).select_by_value("shenzhen")
        browser.find_element(By.ID, "f-full_name").send_keys("Dr Lin Qiao")
        browser.find_element(By.ID, "f-email").send_keys(researcher[0])
        browser.find_element(By.ID, "f-password").send_keys(researcher[1], Keys.ENTER)
        wait(browser).until(lambda d: "/login" in d.current_url)
        sign_in(browser, base_url, *researcher, "en")
        assert browser.find_element(By.CSS_SELECTOR, ".account a.who").text == "Dr Lin Qiao"

    def item(name: str) -> str:
        found = browser.find_element(By.CSS_SELECTOR, f'#checklist li[data-item="{name}"]')
        return found.get_attribute("data-done") or ""

    def score() -> int:
        found = browser.find_element(By.CSS_SELECTOR, "#checklist .research-score")
        return int(found.get_attribute("data-score") or "-1")

    def done(*names: str) -> None:
        for name in names:

            def ticked(_: WebDriver, name: str = name) -> bool:
                return item(name) == "true"

            wait(browser).until(ticked, f"the checklist's {name} was not ticked")

    with step(browser, "The researcher drafts a project; the checklist follows the typing"):
        browser.get(f"{base_url}/me/projects?lang=en")
        browser.find_element(By.CSS_SELECTOR, "#main a[href='/me/projects/new']").click()
        wait(browser).until(lambda d: d.find_elements(By.ID, "checklist"))
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        console_errors(browser)  # forget what earlier pages left in the log
        browser.execute_script("window.stillHere = true")  # gone if the page reloads
        assert score() < 100
        assert item("title_en") == "false"
        assert item("scenarios") == "false"
        before = score()
        browser.find_element(By.ID, "f-title_en").send_keys(TITLE_EN)
        done("title_en")
        assert score() > before
        browser.find_element(By.ID, "f-title_zh").send_keys(TITLE_ZH)
        browser.find_element(By.ID, "f-summary_zh").send_keys(SUMMARY_ZH)
        browser.find_element(By.ID, "f-summary_en").send_keys(SUMMARY_EN)
        done("title_zh", "summary_zh", "summary_en", "scenarios")
        browser.find_element(By.ID, "f-keywords").send_keys("储能安全, 热失控预警, 磷酸铁锂, BMS")
        done("keywords")
        tick(browser, "industry-6.5")
        tick(browser, "industry-5.2")
        done("industries")
        tick(browser, "trl-7")
        done("trl")
        tick(browser, "mode-license")
        tick(browser, "mode-co_development")
        done("transfer_modes", "price")
        browser.find_element(By.ID, "f-price_wan").send_keys("300")
        browser.find_element(By.ID, "f-institution").send_keys("South China Energy Safety Lab")
        Select(browser.find_element(By.ID, "f-city")).select_by_value("shenzhen")
        done("city")
        tick(browser, f"target-{CITY}")
        tick(browser, "target-dongguan")
        done("target_cities")
        browser.find_element(By.ID, "f-patent-0-number").send_keys("CN202410012345.6")
        browser.find_element(By.ID, "f-patent-0-title").send_keys("电芯热失控多参量预警方法")
        Select(browser.find_element(By.ID, "f-patent-0-status")).select_by_value("granted")
        done("patents")
        wait(browser).until(lambda d: score() == 100, "the checklist never reached 100%")
        assert "Everything is there." in browser.find_element(By.ID, "checklist").text
        assert browser.execute_script("return window.stillHere") is True  # no reload
        assert console_errors(browser) == []

    with step(browser, "The researcher saves the draft"):
        browser.find_element(By.CSS_SELECTOR, ".research-form button[type=submit]").click()
        wait(browser).until(lambda d: "notice=created" in d.current_url)
        found = re.search(r"/me/projects/(\d+)", browser.current_url)
        assert found, browser.current_url
        project_id = int(found.group(1))
        assert "Your draft is saved." in browser.find_element(By.CSS_SELECTOR, ".notice").text

    with step(browser, "The researcher submits it for review"):
        browser.find_element(By.ID, "f-note").send_keys("Ready for review.")
        browser.find_element(By.CSS_SELECTOR, "form.research-submit button[type=submit]").click()
        wait(browser).until(lambda d: "notice=submitted" in d.current_url)

    with step(browser, "The secretariat requests changes with a note from the review queue"):
        sign_in(browser, base_url, *secretariat, "en")
        browser.get(f"{base_url}/admin/review?lang=en")
        browser.find_element(By.CSS_SELECTOR, f'a[href="/admin/review/{project_id}"]').click()
        wait(browser).until(lambda d: d.find_elements(By.ID, "decision-request_changes"))
        assert WORD in browser.find_element(By.TAG_NAME, "h1").text
        browser.find_element(By.CSS_SELECTOR, 'label[for="decision-request_changes"]').click()
        browser.find_element(By.ID, "f-note").send_keys(NOTE)
        browser.find_element(By.CSS_SELECTOR, "form.decision button[type=submit]").click()
        wait(browser).until(lambda d: f"decided={project_id}" in d.current_url)
        notice = browser.find_element(By.CSS_SELECTOR, ".notice[role=status]").text
        assert "Changes requested" in notice
        assert WORD in notice

    with step(browser, "The researcher reads the note, edits, answers and resubmits"):
        sign_in(browser, base_url, *researcher, "en")
        browser.get(f"{base_url}/me/projects/{project_id}?lang=en")
        assert NOTE in browser.find_element(By.CSS_SELECTOR, ".research-note blockquote").text
        browser.find_element(By.CSS_SELECTOR, f'a[href="/me/projects/{project_id}/edit"]').click()
        wait(browser).until(lambda d: d.find_elements(By.ID, "f-contact_email"))
        browser.find_element(By.ID, "f-contact_email").send_keys("lin.qiao@example.edu.cn")
        browser.find_element(By.CSS_SELECTOR, ".research-form button[type=submit]").click()
        wait(browser).until(
            lambda d: re.search(rf"/me/projects/{project_id}\?notice=", d.current_url)
        )
        browser.find_element(By.ID, "f-note").send_keys(ANSWER)
        button = browser.find_element(By.CSS_SELECTOR, "form.research-submit button[type=submit]")
        assert button.text == "Resubmit for review"
        button.click()
        wait(browser).until(lambda d: "notice=submitted" in d.current_url)
        assert ANSWER in browser.find_element(By.ID, "history").text

    with step(browser, "The secretariat approves the resubmission"):
        sign_in(browser, base_url, *secretariat, "en")
        browser.get(f"{base_url}/admin/review/{project_id}?lang=en")
        assert ANSWER in browser.find_element(By.CSS_SELECTOR, ".history").text
        assert browser.find_element(By.ID, "decision-approve").is_selected()
        browser.find_element(By.ID, "f-note").send_keys("Complete and clear.")
        browser.find_element(By.CSS_SELECTOR, "form.decision button[type=submit]").click()
        wait(browser).until(lambda d: f"decided={project_id}" in d.current_url)
        notice = browser.find_element(By.CSS_SELECTOR, ".notice[role=status]").text
        assert "Approved and published" in notice

    with step(browser, "Anyone finds the project by the public search"):
        browser.delete_all_cookies()
        link = f'.result a[href="/projects/{project_id}"]'
        deadline = time.monotonic() + 60  # the search index catches up from the outbox
        while True:
            browser.get(f"{base_url}/projects?lang=en")
            browser.find_element(By.ID, "site-q").send_keys(WORD, Keys.ENTER)
            wait(browser).until(lambda d: f"q={WORD}" in d.current_url)
            if browser.find_elements(By.CSS_SELECTOR, link):
                break
            assert time.monotonic() < deadline, f"/projects?q={WORD} never listed the project"
            time.sleep(1)
        assert WORD in browser.find_element(By.CSS_SELECTOR, link).text

    with step(browser, "The secretariat plans a roadshow"):
        sign_in(browser, base_url, *secretariat, "en")
        browser.get(f"{base_url}/admin/roadshows/new?lang=en")
        browser.find_element(By.ID, "f-title_zh").send_keys("江门新型储能安全技术专场路演")
        browser.find_element(By.ID, "f-title_en").send_keys("Jiangmen roadshow: storage safety")
        browser.find_element(By.ID, "f-description_zh").send_keys(
            "面向储能电站、电池管理系统和热失控预警的成果专场，邀请江门及周边储能企业参加。"
        )
        tick(browser, "industry-6.5")
        tick(browser, f"city-{CITY}")
        browser.find_element(By.ID, "f-venue").send_keys("江门市蓬江区科技创新中心一楼报告厅")
        day = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        set_value(browser, "f-starts_at", day)
        set_value(browser, "f-starts_at-time", "14:00")
        set_value(browser, "f-ends_at", day)
        set_value(browser, "f-ends_at-time", "17:30")
        capacity = browser.find_element(By.ID, "f-capacity")
        capacity.clear()
        capacity.send_keys("50")
        browser.find_element(By.CSS_SELECTOR, "form.rs-form button[type=submit]").click()
        wait(browser).until(lambda d: "notice=created" in d.current_url)
        found = re.search(r"/admin/roadshows/(\d+)", browser.current_url)
        assert found, browser.current_url
        roadshow_id = int(found.group(1))

    with step(browser, "The secretariat adds the project to the lineup"):
        suggested = browser.find_elements(By.ID, f"suggestion-{project_id}")
        if suggested:
            assert suggested[0].find_elements(By.CSS_SELECTOR, "li")  # its reasons
            form: WebElement = suggested[0].find_element(By.CSS_SELECTOR, "form.rs-slot-form")
        else:
            more = browser.find_element(By.ID, "f-project-other")
            more.find_element(By.XPATH, "ancestor::details[1]/summary").click()
            more.send_keys(str(project_id))
            form = more.find_element(By.XPATH, "ancestor::form[1]")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", form)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(browser).until(lambda d: "notice=slot-added" in d.current_url)
        lineup = browser.find_element(By.CSS_SELECTOR, ".rs-agenda")
        assert lineup.find_elements(By.CSS_SELECTOR, f'.slot a[href="/projects/{project_id}"]')
        print(f"the project was {'suggested' if suggested else 'added by its number'}")

    with step(browser, "The secretariat publishes the roadshow"):
        browser.find_element(By.CSS_SELECTOR, ".rs-actions form button[type=submit]").click()
        wait(browser).until(lambda d: "notice=published" in d.current_url)
        assert browser.find_elements(By.CSS_SELECTOR, ".rs-status.rs-published")

    with step(browser, "The secretariat invites a suggested enterprise"):
        invites = browser.find_elements(By.CSS_SELECTOR, ".rs-enterprises > li form.rs-invite")
        assert invites, "no enterprise was suggested for the lineup"
        first = invites[0]
        first.find_element(By.TAG_NAME, "textarea").send_keys("诚邀贵司参加储能安全专场路演。")
        first.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(browser).until(lambda d: "notice=invited" in d.current_url)
        sent = browser.find_element(By.CSS_SELECTOR, "#invitations table").text
        assert sent.strip()

    with step(browser, "An enterprise registers for the roadshow (in Traditional Chinese)"):
        sign_in(browser, base_url, ENTERPRISE, PASSWORDS[ENTERPRISE], "zh-Hant")
        enterprise_name = browser.find_element(By.CSS_SELECTOR, ".account a.who").text
        browser.get(f"{base_url}/roadshows/{roadshow_id}?lang=zh-Hant")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hant"
        assert browser.find_elements(By.CSS_SELECTOR, f'a[href="/projects/{project_id}"]')
        browser.find_element(By.ID, "f-note").send_keys("我們想了解儲能熱失控預警項目。")
        browser.find_element(By.CSS_SELECTOR, "#registration form button[type=submit]").click()
        wait(browser).until(lambda d: "notice=registration-confirmed" in d.current_url)
        assert browser.find_element(By.CSS_SELECTOR, "#registration .my-status").text

    with step(browser, "The secretariat checks the enterprise in at the door"):
        sign_in(browser, base_url, *secretariat, "en")
        browser.get(f"{base_url}/admin/roadshows/{roadshow_id}/check-in?lang=en")
        browser.find_element(By.ID, "f-q").send_keys(ENTERPRISE, Keys.ENTER)
        wait(browser).until(lambda d: "q=" in d.current_url)
        items = browser.find_elements(By.CSS_SELECTOR, ".rs-checkin-item")
        assert len(items) == 1, [i.text for i in items]
        items[0].find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(browser).until(lambda d: "checked=" in d.current_url)
        notice = browser.find_element(By.CSS_SELECTOR, ".rs-checkin-notice").text
        assert notice.startswith(f"{enterprise_name} checked in at "), notice
        assert "Checked in at" in browser.find_element(By.CSS_SELECTOR, ".rs-checkin-item").text

    with step(browser, "The enterprise expresses interest in the project"):
        sign_in(browser, base_url, ENTERPRISE, PASSWORDS[ENTERPRISE], "zh-Hant")
        browser.get(f"{base_url}/projects/{project_id}?lang=zh-Hant")
        browser.find_element(By.ID, "f-message").send_keys("路演後希望洽談在江門工廠試點。")
        browser.find_element(By.CSS_SELECTOR, "#interest form button[type=submit]").click()
        wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#interest .notice"))

    with step(browser, "The secretariat finds the new lead on the board"):
        sign_in(browser, base_url, *secretariat, "en")
        browser.get(f"{base_url}/admin/leads?lang=en")
        Select(browser.find_element(By.ID, "filter-project")).select_by_value(str(project_id))
        browser.find_element(By.CSS_SELECTOR, ".board-filters button[type=submit]").click()
        wait(browser).until(lambda d: f"project={project_id}" in d.current_url)
        cards = browser.find_elements(By.CSS_SELECTOR, ".lead-card")
        assert len(cards) == 1, [c.text for c in cards]
        assert cards[0].get_attribute("data-stage") == "new"
        lead_id = (cards[0].get_attribute("id") or "").removeprefix("lead-")

    def move(stage: str, landing: tuple[str, str, str] | None = None) -> None:
        card = browser.find_element(By.ID, f"lead-{lead_id}")
        card.find_element(By.CSS_SELECTOR, ".move summary").click()
        Select(browser.find_element(By.ID, f"m{lead_id}-stage")).select_by_value(stage)
        browser.find_element(By.ID, f"m{lead_id}-note").send_keys(f"Now {stage}.")
        if landing is not None:
            city, amount, day = landing
            Select(browser.find_element(By.ID, f"m{lead_id}-landing_city")).select_by_value(city)
            browser.find_element(By.ID, f"m{lead_id}-landing_amount").send_keys(amount)
            set_value(browser, f"m{lead_id}-landing_date", day)
        form = card.find_element(By.CSS_SELECTOR, "form.move-form")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(browser).until(
            lambda d: d.find_element(By.ID, f"lead-{lead_id}").get_attribute("data-stage") == stage,
            f"the lead did not move to {stage}",
        )
        assert "The lead was moved." in browser.find_element(By.CSS_SELECTOR, ".notice").text

    for stage in ("contacted", "negotiating", "signed"):
        with step(browser, f"The secretariat moves the lead to {stage}"):
            move(stage)

    with step(browser, "The secretariat lands the lead (city, amount and date)"):
        move("landed", (CITY, "260", dt.date.today().isoformat()))
        browser.get(f"{base_url}/admin/leads/{lead_id}?lang=en")
        page = browser.find_element(By.ID, "main").text
        assert "Landed" in page
        history = browser.find_element(By.CSS_SELECTOR, ".history").text
        for stage in ("contacted", "negotiating", "signed", "landed"):
            assert f"Now {stage}." in history, stage

    with step(browser, "The numbers page counts the landing"):
        landed_after = landings_in(browser, base_url, CITY)
        assert landed_after == landed_before + 1, (landed_before, landed_after)
        assert console_errors(browser) == []
