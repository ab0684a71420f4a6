//! Helpers of the binary's process tests (`tests/*.rs`).

/// Books `n` passport appointments (the demo's service that asks nothing before booking)
/// through the public API at `base` (`http://host:port`), each for another e-mail address
/// (the per-contact limit); returns their ids, which are their video rooms.
pub async fn book_passports(base: &str, n: usize) -> Vec<String> {
    let client = reqwest::Client::new();
    let api = format!("{base}/api/v1/tenants/voorbeeld");
    let services: serde_json::Value = client
        .get(format!("{api}/services"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let service = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().unwrap().starts_with("Paspoort"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let from = jiff::Zoned::now().date();
    let to = from.checked_add(jiff::Span::new().days(21)).unwrap();
    let slots: serde_json::Value = client
        .get(format!(
            "{api}/services/{service}/slots?from={from}&to={to}"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut rooms = Vec::new();
    for (i, slot) in slots.as_array().unwrap().iter().enumerate() {
        if rooms.len() == n {
            break;
        }
        let booked: serde_json::Value = client
            .post(format!("{api}/appointments"))
            .json(&serde_json::json!({"service_id": service, "start": slot["start"],
                "name": "Sanne Bakker", "email": format!("sanne{i}-{}@example.nl", std::process::id())}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(id) = booked["appointment"]["id"].as_str() {
            rooms.push(id.to_string());
        }
    }
    assert_eq!(rooms.len(), n, "booked {n} appointments");
    rooms
}
