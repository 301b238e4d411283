"""The secretariat's library, import and export over HTTP: who may open them, the status filter,
bulk withdraw / republish all or nothing, needs in any state, the import's dry run and commit,
exports of the whole library and of a filter, CSRF refusals."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.accounts import ENTERPRISE, OWNER, SECRETARIAT, auth
from tests.fixtures.bodies import DRAFT
from tests.web.helpers import HTML, csrf, sign_in

URLS = [
    "/admin/library",
    "/admin/library/needs",
    "/admin/import",
    "/admin/import/" + "a" * 32,
    "/admin/export",
    "/admin/export/file?format=jsonl",
]
POSTS = ["/admin/library", "/admin/library/needs", "/admin/import", "/admin/import/" + "a" * 32]


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'name="id" value="(\d+)"', html)]


def published(client: TestClient, count: int) -> list[int]:
    items = client.get("/api/v1/projects", params={"per_page": count}).json()["items"]
    return [int(p["id"]) for p in items]


def draft(client: TestClient, title: str) -> dict[str, Any]:
    body = {**DRAFT, "title_en": title, "title_zh": f"测试：{title}"}
    created = client.post("/api/v1/projects", json=body, headers=auth(client, OWNER))
    assert created.status_code == 201, created.text
    project: dict[str, Any] = created.json()
    return project


def bulk(client: TestClient, path: str, action: str, ids: list[int], back: str = "") -> Any:
    token = csrf(client.get(f"{path}?lang=en", headers=HTML).text)
    data: dict[str, Any] = {"csrf_token": token, "action": action, "id": ids, "back": back}
    return client.post(f"{path}?lang=en", data=data, headers=HTML, follow_redirects=False)


@pytest.mark.parametrize("who", [OWNER, ENTERPRISE])
def test_researchers_and_enterprises_get_the_403_page(client: TestClient, who: str) -> None:
    sign_in(client, who)
    for url in URLS:
        refused = client.get(url, headers={**HTML, "accept-language": "en"})
        assert refused.status_code == 403, url
        assert "<h1>Not allowed</h1>" in refused.text, url
    token = csrf(client.get("/projects", headers=HTML).text)
    for url in POSTS:
        posted = client.post(url, data={"csrf_token": token}, headers=HTML)
        assert posted.status_code == 403, url


def test_a_stranger_is_sent_to_sign_in(client: TestClient) -> None:
    for url in URLS:
        response = client.get(url, headers=HTML, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/login?next=%2Fadmin"), url


def test_the_library_holds_every_state_and_filters_by_status(client: TestClient) -> None:
    made = draft(client, "Library draft plasma")
    sign_in(client, SECRETARIAT)
    everything = client.get("/admin/library?lang=en", headers=HTML).text
    assert made["id"] in row_ids(everything)  # newest first, drafts included
    drafts = client.get("/admin/library?status=draft&lang=en", headers=HTML)
    assert drafts.status_code == 200
    assert made["id"] in row_ids(drafts.text)
    assert "Library draft plasma" in drafts.text
    assert ">Draft</span>" in drafts.text
    public = client.get("/admin/library?status=published&lang=en", headers=HTML).text
    assert made["id"] not in row_ids(public)
    assert ">Draft</span>" not in public
    total = client.get("/api/v1/projects", params={"per_page": 1}).json()["total"]
    assert f"Found: {total:,}" in public
    text = client.get("/admin/library?status=draft&q=Library+draft&lang=en", headers=HTML).text
    assert row_ids(text) == [made["id"]]
    bad = client.get("/admin/library?status=lost&trl_min=12&lang=en", headers=HTML)
    assert bad.status_code == 422
    assert "Choose a state from the list." in bad.text
    assert "The TRL is a whole number from 1 to 9." in bad.text


def test_a_bulk_withdraw_takes_both_off_the_public_site(client: TestClient) -> None:
    first, second = published(client, 2)
    sign_in(client, SECRETARIAT)
    done = bulk(client, "/admin/library", "withdraw", [first, second], "status=published")
    assert done.status_code == 303
    assert done.headers["location"].startswith("/admin/library?status=published&done=withdraw")
    notice = client.get(done.headers["location"] + "&lang=en", headers=HTML).text
    assert "Withdrawn: 2 projects." in notice
    withdrawn = client.get("/admin/library?status=archived&lang=en", headers=HTML).text
    assert {first, second} <= set(row_ids(withdrawn))
    client.cookies.clear()
    for project_id in (first, second):
        assert client.get(f"/projects/{project_id}", headers=HTML).status_code == 404
        assert client.get(f"/api/v1/projects/{project_id}").status_code == 404
    sign_in(client, SECRETARIAT)
    again = bulk(client, "/admin/library", "republish", [first, second])
    assert again.status_code == 303
    client.cookies.clear()
    assert client.get(f"/projects/{first}", headers=HTML).status_code == 200


def test_a_bulk_action_with_one_impossible_item_changes_none(client: TestClient) -> None:
    (public_id,) = published(client, 1)
    made = draft(client, "Cannot withdraw plasma")
    sign_in(client, SECRETARIAT)
    refused = bulk(client, "/admin/library", "withdraw", [public_id, made["id"]])
    assert refused.status_code == 409
    assert "Nothing was changed" in refused.text
    assert "<strong>Cannot withdraw plasma</strong>" in refused.text  # in the page's language
    assert "It is “Draft”: only a published project can be withdrawn." in refused.text
    assert re.search(rf'id="pick-{public_id}"[^>]* checked', refused.text)
    assert client.get(f"/api/v1/projects/{public_id}").status_code == 200  # still public
    nothing = bulk(client, "/admin/library", "withdraw", [])
    assert nothing.status_code == 422
    assert "Select at least one project." in nothing.text


def test_needs_in_any_state_and_closed_in_bulk(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    html = client.get("/admin/library/needs?lang=en", headers=HTML)
    assert html.status_code == 200
    ids = row_ids(html.text)[:2]
    assert len(ids) == 2
    done = bulk(client, "/admin/library/needs", "close", ids)
    assert done.status_code == 303
    closed = client.get("/admin/library/needs?status=closed&lang=en", headers=HTML).text
    assert set(ids) <= set(row_ids(closed))
    assert ">Closed</span>" in closed
    for need_id in ids:
        assert client.get(f"/api/v1/needs/{need_id}").status_code == 404
    twice = bulk(client, "/admin/library/needs", "close", ids)
    assert twice.status_code == 409
    assert "It is closed already." in twice.text
    reopened = bulk(client, "/admin/library/needs", "reopen", ids)
    assert reopened.status_code == 303
    assert client.get(f"/api/v1/needs/{ids[0]}").status_code == 200


def test_a_bulk_action_without_the_csrf_token_is_refused(client: TestClient) -> None:
    (public_id,) = published(client, 1)
    sign_in(client, SECRETARIAT)
    refused = client.post(
        "/admin/library", data={"action": "withdraw", "id": [public_id]}, headers=HTML
    )
    assert refused.status_code == 403
    assert client.get(f"/api/v1/projects/{public_id}").status_code == 200


# --- import ---


def record(external_id: str, **fields: Any) -> str:
    body = {"type": "project", "external_id": external_id, "title_zh": f"导入测试 {external_id}"}
    return json.dumps({**body, **fields}, ensure_ascii=False)


def upload(
    client: TestClient, content: str | bytes, name: str = "library.jsonl", fmt: str = ""
) -> Any:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    token = csrf(client.get("/admin/import?lang=en", headers=HTML).text)
    return client.post(
        "/admin/import?lang=en",
        data={"csrf_token": token, "format": fmt},
        files={"file": (name, raw, "application/octet-stream")},
        headers=HTML,
        follow_redirects=False,
    )


def exists(client: TestClient, external_id: str) -> bool:
    found = client.get("/api/v1/projects", params={"external_id": external_id}).json()
    return bool(found["total"])


def test_a_dry_run_names_the_bad_record_and_writes_nothing(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    content = "\n".join(
        [record("WEB-IMP-1"), record("WEB-IMP-2", industries=["77.7"]), record("WEB-IMP-3")]
    )
    checked = upload(client, content)
    assert checked.status_code == 422
    assert "1 record is bad: nothing was imported." in checked.text
    row = re.search(r"<tr>\s*<th scope=\"row\"[^>]*>2</th>(.*?)</tr>", checked.text, re.S)
    assert row, "line 2 is named"
    assert "WEB-IMP-2" in row.group(1)
    assert "<code>industries.0</code>" in row.group(1)
    assert "77.7" in row.group(1)
    assert "Import these records" not in checked.text
    assert not exists(client, "WEB-IMP-1")


def test_a_good_file_is_counted_then_imported_exactly(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    export = client.get("/admin/export/file?format=jsonl&of=projects", headers=HTML)
    assert export.status_code == 200
    known = json.loads(export.text.splitlines()[0])  # unchanged when imported again
    changed = {**json.loads(export.text.splitlines()[1]), "trl": 9}
    content = "\n".join(
        [
            record("WEB-NEW-1"),
            record("WEB-NEW-2", trl=4),
            json.dumps(known, ensure_ascii=False),
            json.dumps(changed, ensure_ascii=False),
        ]
    )
    checked = upload(client, content)
    assert checked.status_code == 303
    preview_url = checked.headers["location"]
    assert re.fullmatch(r"/admin/import/[A-Za-z0-9_-]{32}", preview_url)
    preview = client.get(preview_url + "?lang=en", headers=HTML)
    assert preview.status_code == 200
    counts = re.search(r'data-label="Kind">Projects</th>(.*?)</tr>', preview.text, re.S)
    assert counts
    assert re.findall(r">(\d+)</td>", counts.group(1)) == ["2", "1", "1"]
    assert not exists(client, "WEB-NEW-1")  # a dry run writes nothing
    token = csrf(preview.text)
    done = client.post(
        preview_url, data={"csrf_token": token}, headers=HTML, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/import?imported=1&created=2&updated=1&unchanged=1"
    notice = client.get(done.headers["location"] + "&lang=en", headers=HTML).text
    assert "Imported: 2 created, 1 updated, 1 left unchanged." in notice
    assert exists(client, "WEB-NEW-1")
    assert exists(client, "WEB-NEW-2")
    # The kept file is gone: the same import cannot run twice.
    assert client.get(preview_url, headers=HTML).status_code == 404
    assert client.post(preview_url, data={"csrf_token": token}, headers=HTML).status_code == 404


def test_csv_and_the_formats_choice(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    csv = "type,external_id,title_zh,keywords\nproject,WEB-CSV-1,导入 CSV,储能;电池\n"
    assert upload(client, csv, "library.csv").status_code == 303
    unknown = upload(client, csv, "library.txt")
    assert unknown.status_code == 422
    assert "Choose the file's format: its name does not say." in unknown.text
    assert upload(client, csv, "library.txt", "csv").status_code == 303
    empty = upload(client, "", "library.jsonl")
    assert empty.status_code == 422
    assert 'id="f-file-error"' in empty.text
    latin1 = upload(client, b'{"type": "project", "title_en": "Caf\xe9"}\n')
    assert latin1.status_code == 422
    assert "The file is not UTF-8 text" in latin1.text


def test_an_upload_without_the_csrf_token_is_refused(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    refused = client.post(
        "/admin/import",
        files={"file": ("a.jsonl", record("WEB-CSRF-1").encode(), "application/octet-stream")},
        headers=HTML,
    )
    assert refused.status_code == 403
    assert client.get("/admin/import/" + "b" * 32, headers=HTML).status_code == 404
    assert client.get("/admin/import/../../etc", headers=HTML).status_code == 404


# --- export ---


def test_exports_of_the_library_and_of_a_filter(client: TestClient) -> None:
    made = draft(client, "Export draft plasma")
    sign_in(client, SECRETARIAT)
    library = client.get("/admin/library?status=draft&lang=en", headers=HTML).text
    link = re.search(r'href="(/admin/export\?of=projects&amp;status=draft)"', library)
    assert link, "the filtered list links its export"
    page = client.get(link.group(1).replace("&amp;", "&") + "&lang=en", headers=HTML).text
    assert "match the filter" in page or "matches the filter" in page
    files = re.findall(r'href="(/admin/export/file\?format=(\w+)&amp;of=projects[^"]*)"', page)
    assert {fmt for _, fmt in files} >= {"jsonl", "json", "csv"}
    for url, fmt in files:
        if "status=draft" not in url:
            continue
        got = client.get(url.replace("&amp;", "&"), headers=HTML)
        assert got.status_code == 200
        assert "attachment" in got.headers["content-disposition"]
        assert made["external_id"] in got.text
        if fmt == "jsonl":
            statuses = {json.loads(line)["status"] for line in got.text.splitlines()}
            assert statuses == {"draft"}
    whole = client.get("/admin/export/file?format=csv&of=all", headers=HTML)
    assert whole.status_code == 200
    assert whole.text.startswith("type,external_id,")
    assert "\nneed," in whole.text
    assert made["external_id"] in whole.text
    assert client.get("/admin/export/file?format=xml", headers=HTML).status_code == 404


def test_an_export_with_a_bad_filter_is_refused_not_the_whole_library(client: TestClient) -> None:
    sign_in(client, SECRETARIAT)
    bad = client.get("/admin/export/file?format=csv&of=projects&trl_min=99&lang=en", headers=HTML)
    assert bad.status_code == 422
    assert "attachment" not in bad.headers.get("content-disposition", "")
