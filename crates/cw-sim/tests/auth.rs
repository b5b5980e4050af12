//! Authentication, company info and security roles, over real HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn company_info_needs_no_auth_and_unknown_company_is_null() {
    let sim = start().await;
    let http = reqwest::Client::new();
    let info: serde_json::Value = http
        .get(format!("{}/login/companyinfo/HARBORVIEW", sim.site()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["Codebase"], "v2025_1/");
    assert_eq!(info["CompanyID"], "harborview");
    let unknown = http
        .get(format!("{}/login/companyinfo/nobody", sim.site()))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 200);
    assert_eq!(unknown.text().await.unwrap(), "null");
}

#[tokio::test]
async fn bad_keys_and_missing_client_id_are_401_with_connectwise_body() {
    let sim = start().await;
    let ok = Api::new(&sim, "jchen").get("/system/info", &[]).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["isCloud"], true);

    let no_client = Api::new(&sim, "jchen")
        .without_client_id()
        .get("/system/info", &[])
        .await;
    assert_eq!(no_client.status, 401);
    assert_eq!(no_client.body["code"], "Unauthorized");
    assert!(no_client.body["message"]
        .as_str()
        .unwrap()
        .contains("clientId"));

    let bad = reqwest::Client::new()
        .get(format!("{}/v4_6_release/apis/3.0/system/info", sim.site()))
        .basic_auth("harborview+nope", Some("nope"))
        .header("clientId", sim.credentials()["clientId"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "Unauthorized");
    assert!(body.get("errors").is_some());
}

#[tokio::test]
async fn cloud_and_on_prem_codebases_both_route_and_others_do_not() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    for cb in ["v4_6_release", "v2025_1", "v2019_3"] {
        let r = reqwest::Client::new()
            .get(format!("{}/{cb}/apis/3.0/service/priorities", sim.site()))
            .basic_auth(
                format!(
                    "harborview+{}",
                    sim.credentials()["members"][2]["publicKey"]
                        .as_str()
                        .unwrap()
                ),
                sim.credentials()["members"][2]["privateKey"].as_str(),
            )
            .header("clientId", sim.credentials()["clientId"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{cb}");
    }
    let wrong = reqwest::get(format!("{}/apis/3.0/service/priorities", sim.site()))
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    assert_eq!(api.get("/service/nothing", &[]).await.status, 404);
    assert_eq!(
        api.send("PATCH", "/service/tickets", &[], Some(json!([])))
            .await
            .status,
        405
    );
}

#[tokio::test]
async fn roles_limit_what_each_member_may_do() {
    let sim = start().await;
    let reader = Api::new(&sim, "apireader");
    let tech = Api::new(&sim, "jchen");
    let integ = Api::new(&sim, "apisync");
    let admin = Api::new(&sim, "amorgan");
    assert_eq!(reader.get("/service/tickets", &[]).await.status, 200);
    let denied = reader
        .post(
            "/service/tickets",
            json!({"summary": "x", "company": {"id": 1}}),
        )
        .await;
    assert_eq!(denied.status, 403);
    assert_eq!(denied.body["code"], "Security");
    assert_eq!(
        denied.body["message"],
        "You do not have security permission to perform this action."
    );
    // Technicians cannot delete tickets; dispatchers and admins can.
    let id = first_id(&tech.get("/service/tickets", &[]).await);
    assert_eq!(
        tech.delete(&format!("/service/tickets/{id}")).await.status,
        403
    );
    // The integration member may write tickets but not companies.
    assert_eq!(
        integ
            .post(
                "/company/companies",
                json!({"identifier": "X", "name": "X"})
            )
            .await
            .status,
        403
    );
    let created = integ
        .post(
            "/service/tickets",
            json!({"summary": "from integration", "company": {"id": 2}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["_info"]["enteredBy"], "apisync");
    assert_eq!(
        admin
            .delete(&format!("/service/tickets/{}", created.body["id"]))
            .await
            .status,
        204
    );
    // Nothing was written by the refused requests.
    assert_eq!(
        reader
            .get(&format!("/service/tickets/{id}"), &[])
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn my_account_answers_and_can_be_switched_off_like_on_prem() {
    let sim = start().await;
    let api = Api::new(&sim, "psharma");
    let me = api.get("/system/myAccount", &[]).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["identifier"], "psharma");
    sim.sim.tenant_mut().my_account_enabled = false;
    let gone = api.get("/system/myAccount", &[]).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["code"], "NotFound");
    let by_ident = api.get("/system/members/PSharma", &[]).await;
    assert_eq!(by_ident.body["identifier"], "psharma");
    // Clients generated from the contract (pyconnectwise) require these three on a member.
    for field in [
        "invoiceScreenDefaultTabFormat",
        "invoicingDisplayOptions",
        "agreementInvoicingDisplayOptions",
    ] {
        assert!(by_ident.body[field].is_string(), "{field}");
    }
}
