//! The OpenAPI document and the router describe the same API: every path the document names
//! answers (on an empty index), every route the router declares is documented, and a path it does
//! not name is 404.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use std::collections::BTreeSet;
use std::sync::Arc;
use tower::ServiceExt;
use tributary_index::api::{router, AppState, OPENAPI};
use tributary_index::store::Store;

const ADDRESS: &str = "So11111111111111111111111111111111111111112";

#[tokio::test]
async fn every_documented_path_answers_and_every_route_is_documented() {
    let dir = std::env::temp_dir().join(format!("tributary-index-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let store = Arc::new(Store::open(&dir.join("index.sqlite").display().to_string()).await.expect("open"));
    let program = tributary::ID.to_string();
    store.cursor(&program).await.expect("cursor");
    let app = router(AppState { store, counters: None, program_id: program });
    let spec: serde_json::Value = serde_json::from_str(OPENAPI).expect("openapi.json");
    let documented: BTreeSet<String> = spec["paths"].as_object().expect("paths").keys().cloned().collect();
    let routed: BTreeSet<String> = include_str!("../src/api.rs")
        .split(".route(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect();
    assert_eq!(documented, routed, "openapi.json and api.rs's routes");
    for path in &documented {
        let uri = path.replace("{wallet}", ADDRESS).replace("{pool}", ADDRESS);
        let response =
            app.clone().oneshot(Request::get(&uri).body(Body::empty()).expect("request")).await.expect("answer");
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert_eq!(response.headers()["access-control-allow-origin"], "*", "{uri}: any web app may read it");
        for (name, op) in spec["paths"][path].as_object().expect("operations") {
            let csv = op["parameters"].as_array().is_some_and(|p| p.iter().any(|p| p["name"] == "format"));
            if name == "get" && csv {
                let uri = format!("{uri}?format=csv");
                let response = app
                    .clone()
                    .oneshot(Request::get(&uri).body(Body::empty()).expect("request"))
                    .await
                    .expect("answer");
                assert_eq!(response.status(), StatusCode::OK, "{uri}");
                assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8", "{uri}");
            }
        }
    }
    let missing = app.oneshot(Request::get("/v1/nothing").body(Body::empty()).expect("request")).await.expect("answer");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let _ = std::fs::remove_dir_all(&dir);
}
