"""Answer with live search: choose the sources, limit the results, and list the citations.

Run against the fake with ``xai-fake exec -- python examples/sync/search.py``.
"""

import datetime

from xai_sdk import Client
from xai_sdk.chat import user
from xai_sdk.search import SearchParameters, news_source, rss_source, web_source, x_source

MODEL = "grok-4.20-non-reasoning"


def main() -> None:
    search = SearchParameters(
        sources=[
            web_source(country="NL", allowed_websites=["knmi.nl"]),
            news_source(excluded_websites=["example.com"]),
            x_source(included_x_handles=["KNMI"]),
            rss_source(["https://example.org/weather.rss"]),
        ],
        mode="on",  # always search ("auto" lets the model decide)
        from_date=datetime.datetime(2025, 1, 1),
        return_citations=True,
        max_search_results=5,
    )
    with Client() as client:
        chat = client.chat.create(MODEL, search_parameters=search)
        chat.append(user("What weather warnings are there in the Netherlands this week?"))
        response = chat.sample()
        print(f"Grok: {response.content}\n")
        print(f"{len(response.citations)} citation(s):")
        for url in response.citations:
            print(f"  {url}")
        print(f"sources used: {response.usage.num_sources_used}")


if __name__ == "__main__":
    main()
