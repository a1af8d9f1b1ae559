"""The agent's workspace by keyboard alone (issue #11): no click from the log-in to cancelling an action; "?" lists
the shortcuts; a shortcut key typed in a field is just typed; "Skip to content" is the first Tab."""

import re

import pytest

from tests.accounts.factories import AgentFactory, PostpaidLineFactory
from tests.e2e.test_workspace import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page, expression: str):
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {expression}; }})()")


def _keyboard_log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    assert _focused(page, "el.name") == "username"  # the form's first field has the cursor
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_agent_searches_switches_tabs_opens_an_action_and_cancels_by_keyboard_only(page):
    from playwright.sync_api import expect

    # given an agent and a postpaid line (several tabs)
    agent = AgentFactory(language="en")
    line = PostpaidLineFactory(msisdn="+6281311112222")
    # when: log in, type the number in the search box that has the focus, Enter
    _keyboard_log_in(page, agent.username)
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("0813-1111-2222")
    page.keyboard.press("Enter")
    # then: the line page
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/$"))
    page.wait_for_load_state("networkidle")
    # when: Esc leaves the search box (the page opens with the cursor there), "2" shows the second tab
    page.keyboard.press("Escape")
    second = page.locator("#line-tabs [data-shortcut='2']")
    first_body = page.locator("#tab-body").inner_html()
    page.keyboard.press("2")
    # then: it is selected and focused, and its body replaced the first one's
    expect(second).to_have_attribute("aria-selected", "true")
    expect(second).to_be_focused()
    page.wait_for_function("(before) => document.querySelector('#tab-body').innerHTML !== before", arg=first_body)
    # when: the arrow key moves on to the next tab
    page.keyboard.press("ArrowRight")
    expect(page.locator("#line-tabs [data-shortcut='3']")).to_have_attribute("aria-selected", "true")
    # when: "b" opens the Block action
    page.keyboard.press("b")
    # then: the cursor is on the form's first field, not in the search box
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/block/$"))
    assert _focused(page, "el.name") == "reason"
    # when: Tab through the form to Cancel and press Enter
    for _ in range(30):
        page.keyboard.press("Tab")
        if _focused(page, "el.textContent.trim()") == "Cancel":
            break
    assert _focused(page, "el.textContent.trim()") == "Cancel"
    page.keyboard.press("Enter")
    # then: back on the line page, nothing blocked
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/"))
    assert not line.blocks.exists()


def test_question_mark_lists_the_shortcuts_and_escape_closes_the_list(page):
    from playwright.sync_api import expect

    agent = AgentFactory(language="en")
    line = PostpaidLineFactory()
    _keyboard_log_in(page, agent.username)
    page.goto(f"/lines/{line.pk}/")
    page.wait_for_load_state("networkidle")
    # when: "?" outside any field
    page.evaluate("document.activeElement.blur()")
    page.keyboard.type("?")
    # then: the dialog lists the built-in keys and this page's (tabs, actions, pages)
    dialog = page.locator("#shortcut-help")
    expect(dialog).to_be_visible()
    rows = dialog.locator("tbody").inner_text()
    for expected in ["Search", "Block", "Lost SIM", "Home"]:
        assert expected in rows, rows
    assert re.search(r"^1\s", rows, re.M), rows  # the first tab's digit
    # when: a shortcut key while the list is open does nothing; Esc closes it
    page.keyboard.press("b")
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/$"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_shortcut_keys_typed_in_a_field_are_only_typed(page):
    from playwright.sync_api import expect

    agent = AgentFactory(language="en")
    line = PostpaidLineFactory()
    _keyboard_log_in(page, agent.username)
    page.goto(f"/lines/{line.pk}/")
    page.wait_for_load_state("networkidle")
    # when: "/" puts the cursor in the search box, then keys that are shortcuts elsewhere are typed
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("b2?g d/")
    # then: all typed into the box; no page opened, no tab switched, no dialog
    expect(page.locator("#global-search")).to_have_value("b2?g d/")
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/$"))
    expect(page.locator("#shortcut-help")).to_be_hidden()
    expect(page.locator("#line-tabs [data-shortcut='1']")).to_have_attribute("aria-selected", "true")


def test_skip_link_is_the_first_tab_and_moves_to_the_content(page):
    from playwright.sync_api import expect

    agent = AgentFactory(language="en")
    _keyboard_log_in(page, agent.username)
    page.goto("/search/")
    page.wait_for_load_state("networkidle")
    # the first element in the Tab order is the skip link: Shift+Tab from the search box (it has the cursor) goes
    # back past the brand link to it
    first = page.evaluate("""() => [...document.querySelectorAll('a[href], button, input, select, textarea')]
        .find(el => el.tabIndex >= 0 && !el.disabled).id""")
    assert first == "skip-link"
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    skip = page.locator("#skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown when focused
    ring = skip.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth")
    assert ring == "solid 3px", ring  # the focus ring
    page.keyboard.press("Enter")
    assert _focused(page, "el.id") == "content"
