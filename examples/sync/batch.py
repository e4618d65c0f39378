"""Run chat, image and video requests as one batch, wait for it, and read the results page by page.

Run against the fake with ``xai-fake exec -- python examples/sync/batch.py``.
"""

import time

from xai_sdk import Client
from xai_sdk.chat import system, user

CITIES = ["Lisbon", "Kyoto", "Quito"]


def main() -> None:
    with Client() as client:
        batch = client.batch.create("city-guides")
        requests = [
            client.chat.create(
                "grok-4", messages=[system("Answer in one sentence."), user(f"Why visit {city}?")],
                batch_request_id=f"guide-{city.lower()}",
            )
            for city in CITIES
        ]  # fmt: skip
        requests.append(client.image.prepare("A postcard of Lisbon", "grok-imagine-image", batch_request_id="card"))
        requests.append(client.video.prepare("A tram in Lisbon", "grok-imagine-video", batch_request_id="clip"))
        client.batch.add(batch.batch_id, requests)
        print(f"batch {batch.batch_id}: {len(requests)} requests added")

        while (batch := client.batch.get(batch.batch_id)).state.num_pending:
            print(f"  {batch.state.num_success + batch.state.num_error}/{batch.state.num_requests} done")
            time.sleep(0.2)
        print(f"finished; total cost ${batch.cost_breakdown.total_cost_usd_ticks / 1e10:.4f}")

        token = None
        while True:
            page = client.batch.list_batch_results(batch.batch_id, limit=2, pagination_token=token)
            for result in page.succeeded:
                if result.proto.response.HasField("completion_response"):
                    print(f"  {result.batch_request_id}: {result.response.content[:60]}")
                elif result.proto.response.HasField("image_response"):
                    print(f"  {result.batch_request_id}: image at {result.image_response.url}")
                else:
                    print(f"  {result.batch_request_id}: video at {result.video_response.url}")
            for result in page.failed:
                print(f"  {result.batch_request_id} failed: {result.error_message}")
            if (token := page.pagination_token) is None:
                break


if __name__ == "__main__":
    main()
