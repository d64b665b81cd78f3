import socket

import pytest

from harness.errors import EXIT_INPUT, TargetError
from harness.engine.target import check_sampled_url, check_target
from harness.parsing.addresses import is_loopback


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.8.9.1", True), ("localhost", True),
                                                ("::1", True), ("10.0.0.1", False), ("example.com", False),
                                                ("192.168.1.5", False)])
def test_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_remote_target_is_refused_without_the_flag():
    with pytest.raises(TargetError) as caught:
        check_target("https://staging.example.com", allow_remote=False)
    assert "--allow-remote-target" in str(caught.value) and "'staging.example.com' is not on this machine" in str(caught.value)
    assert caught.value.exit_code == EXIT_INPUT


def test_unreachable_target_says_so():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TargetError, match=f"is unreachable: nothing accepts connections on 127.0.0.1:{port}"):
        check_target(f"http://127.0.0.1:{port}", allow_remote=False)


def test_not_a_url():
    with pytest.raises(TargetError, match="is not an http"):
        check_target("127.0.0.1:4000", allow_remote=False)


def test_sampled_urls_follow_the_target_rule():
    check_sampled_url("redis://127.0.0.1:6379/0", allow_remote=False)
    check_sampled_url("http://localhost:9000/metrics", allow_remote=False)
    check_sampled_url("http://10.0.0.5:9000/metrics", allow_remote=True)
    with pytest.raises(TargetError, match="sampled endpoints, like targets"):
        check_sampled_url("redis://cache.internal:6379", allow_remote=False)


def test_credentials_in_an_http_url_are_refused_and_never_echoed() -> None:
    import pytest

    from harness.engine.target import check_sampled_url, target_host_port
    from harness.errors import TargetError

    with pytest.raises(TargetError) as caught:
        target_host_port("http://admin:s3cret-pass@127.0.0.1:4000")  # secret-scan: allow
    assert "credentials" in str(caught.value) and "s3cret" not in str(caught.value)
    with pytest.raises(TargetError) as caught:
        check_sampled_url("http://u:s3cret-pass@127.0.0.1:9090/metrics", allow_remote=False)  # secret-scan: allow
    assert "s3cret" not in str(caught.value)
    check_sampled_url("redis://:s3cret-pass@127.0.0.1:6379/0", allow_remote=False)  # secret-scan: allow
    with pytest.raises(TargetError) as caught:
        check_sampled_url("redis://:s3cret-pass@10.1.2.3:6379/0", allow_remote=False)  # secret-scan: allow
    assert "s3cret" not in str(caught.value) and "***@10.1.2.3" in str(caught.value)
