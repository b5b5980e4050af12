//! The per-principal rate limit for the whole deployment: the same GCRA bucket as
//! [`crate::transport::rate`] (a burst of the whole quota, then one request per interval),
//! kept in Redis and checked and updated in one script, on Redis's clock, so two replicas
//! cannot both spend the last request and their clocks need not agree.

use std::time::Duration;

use std::num::NonZeroU32;

use super::Redis;

/// KEYS[1]: the principal's bucket. ARGV: emission interval and burst tolerance, in
/// microseconds. Answers 0 when the request may go, else the microseconds to wait.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat - now > tolerance then
  return tat - now - tolerance
end
local next = tat + interval
redis.call('SET', KEYS[1], next, 'PX', math.floor((next - now) / 1000) + 1)
return 0
";

/// `Ok` if `principal` may make one of its `requests` per `per` now, else how long until it
/// may; `None` when Redis could not be asked (the caller falls back to its own bucket).
pub async fn check(
    redis: &Redis,
    requests: NonZeroU32,
    per: Duration,
    principal: &str,
) -> Option<Result<(), Duration>> {
    let interval = (per / requests.get()).as_micros().max(1) as u64;
    let tolerance = interval * u64::from(requests.get() - 1);
    let key = super::key("rate", &[principal]);
    let mut c = redis.conn();
    let r: redis::RedisResult<u64> = redis::Script::new(GCRA)
        .key(key)
        .arg(interval)
        .arg(tolerance)
        .invoke_async(&mut c)
        .await;
    redis.saw(&r);
    match r {
        Ok(0) => Some(Ok(())),
        Ok(wait) => Some(Err(Duration::from_micros(wait))),
        Err(_) => None,
    }
}
