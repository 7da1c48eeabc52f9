"""The interface's languages: a browser set to Russian or Spanish gets the home, pre-join and
meeting screens in it (words and accessible names); the language switch changes the
language at once and the choice outlasts a reload; and no visible text of the Russian
meeting screen is an English catalogue value (nothing left unconverted).

The browser's language is the Playwright context's `locale`, which sets
navigator.languages as a browser set to that language does.
"""

# Russian words are meant here: their letters look like Latin ones to ruff.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.meeting import self_id
from tests.browser.test_viewport import check, open_panel
from tests.conftest import LiveServer

LocalePage = Callable[..., Page]


@pytest.fixture
def locale_page(browser: Browser, live_server: LiveServer) -> Iterator[LocalePage]:
    """A page in a new browser context whose browser speaks `locale`; a JavaScript error
    on any of them fails the test."""
    contexts = []
    errors: list[str] = []

    def make(locale: str, width: int = 1280, height: int = 800) -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def join_by_testid(page: Page, room: str, name: str) -> str:
    """Join without reading any word (they are not English here); return our id."""
    page.goto(f"/{room}")
    page.get_by_test_id("name-input").fill(name)
    page.get_by_test_id("join").click()
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
    return self_id(page)


def test_a_russian_browser_gets_the_russian_interface(locale_page: LocalePage) -> None:
    page = locale_page("ru-RU")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_test_id("new-meeting")).to_have_text("Начать новую встречу")
    expect(page.get_by_text("Частные видеовстречи со сквозным шифрованием.")).to_be_visible()
    expect(page.get_by_test_id("join-input")).to_have_attribute(
        "placeholder", "Название или ссылка"
    )
    expect(page.get_by_role("combobox", name="Язык интерфейса")).to_have_value("ru")

    page.goto("/ru-room")
    expect(page.get_by_role("heading", name="Готовы войти?")).to_be_visible()
    expect(page.get_by_label("Ваше имя")).to_be_visible()
    expect(page.get_by_test_id("join")).to_have_text("Войти")
    expect(page.get_by_test_id("pre-mic")).to_have_attribute("aria-label", "Выключить микрофон")
    expect(page.get_by_role("group", name="Перед входом")).to_be_visible()

    join_by_testid(page, "ru-room", "Ада")
    expect(page.get_by_test_id("conn-state")).to_have_text("Подключено")
    expect(page.get_by_role("toolbar", name="Управление встречей")).to_be_visible()
    expect(page.get_by_test_id("btn-mic")).to_have_attribute("aria-label", "Выключить микрофон")
    expect(page.get_by_test_id("btn-leave")).to_have_text("Выйти")
    expect(page.get_by_test_id("tile-name").first).to_have_text("Ада (вы)")
    expect(page.get_by_test_id("e2ee-state")).to_contain_text("Зашифровано")
    expect(page.get_by_role("heading", name="Участники")).to_be_visible()


def test_a_spanish_browser_gets_the_spanish_interface(locale_page: LocalePage) -> None:
    page = locale_page("es-ES")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_test_id("new-meeting")).to_have_text("Empezar una reunión")
    expect(page.get_by_role("combobox", name="Idioma de la interfaz")).to_have_value("es")

    page.goto("/es-room")
    expect(page.get_by_role("heading", name="¿Listo para entrar?")).to_be_visible()
    expect(page.get_by_label("Tu nombre")).to_be_visible()
    expect(page.get_by_test_id("pre-cam")).to_have_attribute("aria-label", "Apagar la cámara")

    join_by_testid(page, "es-room", "Ada")
    expect(page.get_by_test_id("conn-state")).to_have_text("Conectado")
    expect(page.get_by_test_id("btn-mic")).to_have_attribute("aria-label", "Silenciar micrófono")
    expect(page.get_by_test_id("btn-leave")).to_have_text("Salir")
    expect(page.get_by_test_id("chat-input")).to_have_attribute("placeholder", "Enviar un mensaje")
    # Muted, the button says what a press does now, in Spanish too.
    page.get_by_test_id("btn-mic").click()
    expect(page.get_by_test_id("btn-mic")).to_have_attribute("aria-label", "Activar micrófono")


def test_the_switch_changes_the_language_at_once_and_it_outlasts_a_reload(
    locale_page: LocalePage,
) -> None:
    page = locale_page("en-US")
    page.goto("/")
    expect(page.get_by_test_id("new-meeting")).to_have_text("Start a new meeting")
    # By keyboard: focus the switch, and the arrow picks the next language.
    expect(page.get_by_role("combobox", name="Interface language")).to_have_value("en")
    switch = page.get_by_test_id("home-language-select")
    switch.focus()
    page.keyboard.press("ArrowDown")
    expect(switch).to_have_value("es")
    expect(page.get_by_test_id("new-meeting")).to_have_text("Empezar una reunión")
    page.get_by_role("combobox", name="Idioma de la interfaz").select_option("ru")
    expect(page.get_by_test_id("new-meeting")).to_have_text("Начать новую встречу")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.reload()
    expect(page.get_by_test_id("new-meeting")).to_have_text("Начать новую встречу")
    expect(page.get_by_role("combobox", name="Язык интерфейса")).to_have_value("ru")

    # In the meeting, the switch redraws what the screen wrote itself, at once.
    join_by_testid(page, "switch-room", "Ada")
    expect(page.get_by_test_id("conn-state")).to_have_text("Подключено")
    page.get_by_test_id("meeting-interface-language-select").select_option("es")
    expect(page.get_by_test_id("conn-state")).to_have_text("Conectado")
    expect(page.get_by_test_id("btn-mic")).to_have_attribute("aria-label", "Silenciar micrófono")
    expect(page.get_by_test_id("tile-name").first).to_have_text("Ada (tú)")
    expect(page.get_by_test_id("chat-send")).to_have_text("Enviar")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_test_id("meeting-interface-language-select").select_option("en")
    expect(page.get_by_test_id("conn-state")).to_have_text("Connected")
    expect(page.get_by_test_id("btn-leave")).to_have_text("Leave")


# Every visible text node and accessible name under the element `root` (a CSS selector: the
# meeting screen, a dialogue page's <main>) that equals an English catalogue value (or fills
# an English template) and is not also the Russian one.
ENGLISH_LEFT = """
async (root) => {
  const en = (await import('/static/i18n/en.js')).default;
  const ru = (await import('/static/i18n/ru.js')).default;
  const texts = (m) => (typeof m === 'string' ? [m] : Object.values(m));
  const russian = new Set(Object.values(ru).flatMap(texts).map((s) => s.trim()));
  const exact = new Set();
  const patterns = [];
  for (const message of Object.values(en)) {
    for (const s of texts(message)) {
      if (russian.has(s.trim())) continue;  // the same in both: names, codes
      if (!s.includes('{')) { exact.add(s.trim()); continue; }
      // A template: only where its own words say something (not "{name} ({code})").
      if (s.replace(/\\{\\w+\\}/g, '').replace(/[^A-Za-z]/g, '').length < 4) continue;
      const escape = (p) => p.replace(/[.*+?^$()|[\\]\\\\]/g, '\\\\$&');
      const body = s.split(/\\{\\w+\\}/).map(escape).join('.+');
      patterns.push(new RegExp(`^${body}$`));
    }
  }
  const english = (s) => {
    const v = s.trim();
    return !!v && (exact.has(v) || patterns.some((p) => p.test(v)));
  };
  const where = (el) => `<${el.tagName.toLowerCase()} id=${el.id}>`;
  const found = [];
  const screen = document.querySelector(root);
  const walker = document.createTreeWalker(screen, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !el.checkVisibility({ visibilityProperty: true })) continue;
    if (english(n.textContent)) found.push(`text "${n.textContent.trim()}" in ${where(el)}`);
  }
  for (const el of screen.querySelectorAll('[aria-label], [title], [placeholder]')) {
    if (!el.checkVisibility({ visibilityProperty: true })) continue;
    for (const attr of ['aria-label', 'title', 'placeholder']) {
      const v = el.getAttribute(attr);
      if (v && english(v)) found.push(`${attr} "${v}" on ${where(el)}`);
    }
  }
  return found;
}
"""


def english_left(page: Page, root: str = "#screen-meeting") -> list[str]:
    found: list[Any] = page.evaluate(ENGLISH_LEFT, root)
    return [str(f) for f in found]


def test_no_english_is_left_on_the_russian_meeting_screen(locale_page: LocalePage) -> None:
    host, guest = locale_page("ru-RU"), locale_page("ru-RU")
    join_by_testid(host, "ru-all-words", "Ада")
    join_by_testid(guest, "ru-all-words", "Грейс")
    expect(host.get_by_test_id("person-e2ee")).to_have_count(1)
    host.get_by_test_id("chat-input").fill("Привет")
    host.get_by_test_id("chat-send").click()
    expect(guest.get_by_test_id("chat-log")).to_contain_text("Привет")
    guest.get_by_test_id("btn-hand").click()
    expect(host.get_by_test_id("person-hand")).to_be_visible()
    # The host's settings, the people list with its Manage menu open, and the chat.
    expect(host.get_by_test_id("host-panel")).to_be_visible()
    host.get_by_label("Управление: Грейс").click()
    expect(host.get_by_role("button", name="Удалить из встречи")).to_be_visible()
    assert english_left(host) == []
    host.get_by_label("Управление: Грейс").click()
    host.get_by_test_id("btn-react").click()
    expect(host.get_by_test_id("reaction-choice").first).to_be_visible()
    assert english_left(host) == []
    assert english_left(guest) == []
    # It can fail: in English, the same check finds the English words.
    host.get_by_test_id("meeting-interface-language-select").select_option("en")
    expect(host.get_by_test_id("conn-state")).to_have_text("Connected")
    assert 'text "Leave" in <span id=>' in english_left(host)


SMALL = [(390, 844), (1024, 600)]


@pytest.mark.parametrize(("width", "height"), SMALL, ids=[f"{w}x{h}" for w, h in SMALL])
def test_the_russian_meeting_screen_fits(locale_page: LocalePage, width: int, height: int) -> None:
    """Russian words are long: at a phone's and a small laptop's size every control of a
    host's meeting is still inside the window (test_viewport.py's measure)."""
    host = locale_page("ru-RU", width, height)
    guest = locale_page("ru-RU", width, height)
    join_by_testid(host, f"ru-fits-a-long-meeting-name-{width}", "Ада")
    join_by_testid(guest, f"ru-fits-a-long-meeting-name-{width}", "Грейс Брюстер Мюррей Хоппер")
    open_panel(host, "chat")
    host.get_by_test_id("chat-input").fill("Привет")
    host.get_by_test_id("chat-send").click()
    expect(host.get_by_test_id("chat-log")).to_contain_text("Привет")
    check(host, f"ru-chat-{width}x{height}")
    open_panel(host, "people")
    expect(host.get_by_test_id("host-panel")).to_be_visible()
    check(host, f"ru-people-{width}x{height}", at_least=20)
    host.get_by_label("Управление: Грейс Брюстер Мюррей Хоппер").click()
    expect(host.get_by_role("button", name="Удалить из встречи")).to_be_visible()
    check(host, f"ru-manage-{width}x{height}", at_least=25)
