"""The peer of the latency benchmark: atlassian-python-api listing the same
workspaces' members (with their permissions) against the same fake
Bitbucket, the way its documentation shows.

usage: peer.py BASE_URL EMAIL API_TOKEN SLUG...
prints: memberships seconds requests-estimate
"""
import sys
import time

from atlassian.bitbucket import Cloud


def main():
    base, email, token, *slugs = sys.argv[1:]
    cloud = Cloud(url=base, username=email, password=token)
    start = time.monotonic()
    memberships = 0
    for slug in slugs:
        workspace = cloud.workspaces.get(slug)
        for _ in workspace.permissions.each(pagelen=100):
            memberships += 1
    print(memberships, round(time.monotonic() - start, 3))


if __name__ == "__main__":
    main()
