def test_smoke(cast, as_user, api):
    c = as_user(cast.nia)
    r = c.get("/people/")
    assert r.status_code == 200, r.content[:500]
    assert b"Alice" in r.content and b"Bob" not in r.content
    r = c.get(f"/people/{cast.alice.pk}/")
    assert r.status_code == 200
    r = c.get(f"/people/{cast.bob.pk}/")
    assert r.status_code == 404
    r = c.post(f"/people/{cast.bob.pk}/break-glass/", {"reason": "Covering a day shift tonight"})
    assert r.status_code == 302, r.content[:1000]
    r = c.get(f"/people/{cast.bob.pk}/")
    assert r.status_code == 200 and b"break-glass" in r.content
    a = api(cast.sarah)
    r = a.get("/api/v1/me")
    assert r.status_code == 200, r.content
    r = a.get("/api/v1/people")
    assert r.status_code == 200, r.content
    assert r.json()["count"] == 6
    r = a.get(f"/api/v1/people/{cast.zara.pk}")
    assert r.status_code == 404, r.content
    r = a.get("/api/v1/audit-trail/verify")
    assert r.json()["intact"], r.content
    for url in ["/break-glass/", "/audit-trail/"]:
        assert as_user(cast.sarah).get(url).status_code == 200
    for url in [
        "/organisation/",
        "/organisation/staff/",
        f"/organisation/staff/{cast.nia.pk}/",
        "/organisation/services/new/",
        "/organisation/teams/new/",
        "/organisation/staff/new/",
    ]:
        r = as_user(cast.owen).get(url)
        assert r.status_code == 200, (url, r.content[:500])
    r = as_user(cast.helen).get("/people/new/")
    assert r.status_code == 200
    r = as_user(cast.helen).get(f"/people/{cast.bob.pk}/enrolments/new/")
    assert r.status_code == 200
    r = as_user(cast.helen).get("/account/api-tokens/")
    assert r.status_code == 200
    r = api(cast.nia).get("/api/v1/staff")
    assert r.status_code == 403, r.content
    print(r.json())
