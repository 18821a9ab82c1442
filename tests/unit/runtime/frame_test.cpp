#include "vfo/runtime/frame.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vfo::runtime {
namespace {

TEST(Frame, RoundTripsWithAFixedLittleEndianLayout) {
  const Frame f{7, 0x0102030405060708ULL, -5, std::string("ab\0c", 4)};
  const std::string bytes = encode_frame(f);
  ASSERT_EQ(bytes.size(), 33u + 4u);
  EXPECT_EQ(bytes.substr(0, 4), "VFOF");
  EXPECT_EQ(static_cast<unsigned char>(bytes[4]), kWireVersion);
  EXPECT_EQ(static_cast<unsigned char>(bytes[5]), 7);      // epoch, least significant byte first
  EXPECT_EQ(static_cast<unsigned char>(bytes[13]), 0x08);  // seq
  EXPECT_EQ(static_cast<unsigned char>(bytes[20]), 0x01);
  const auto back = decode_frame(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->epoch, 7u);
  EXPECT_EQ(back->seq, 0x0102030405060708ULL);
  EXPECT_EQ(back->origin_ns, -5);
  EXPECT_EQ(back->payload, f.payload);

  const auto ack = decode_ack(encode_ack(Ack{3, 99}));
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->epoch, 3u);
  EXPECT_EQ(ack->seq, 99u);
}

TEST(Frame, MalformedBytesAreRefusedWithOneLine) {
  std::string why;
  EXPECT_FALSE(decode_frame("VFO", &why));
  EXPECT_EQ(why, "frame: 3 bytes, shorter than its header (33)");
  std::string bytes = encode_frame(Frame{1, 1, 0, "xyz"});
  bytes[0] = 'X';
  EXPECT_FALSE(decode_frame(bytes, &why));
  EXPECT_EQ(why, "frame: wrong magic");
  bytes = encode_frame(Frame{1, 1, 0, "xyz"});
  bytes[4] = 9;
  EXPECT_FALSE(decode_frame(bytes, &why));
  EXPECT_EQ(why, "frame: version 9 (expected 1)");
  bytes = encode_frame(Frame{1, 1, 0, "xyz"});
  EXPECT_FALSE(decode_frame(bytes.substr(0, bytes.size() - 1), &why));
  EXPECT_EQ(why, "frame: payload length 3 but 2 bytes follow the header");
  EXPECT_FALSE(decode_frame(bytes + "!", &why));
  bytes[32] = 0x7f;  // a payload length of about 2 GiB
  EXPECT_FALSE(decode_frame(bytes, &why));
  EXPECT_NE(why.find("more than the limit"), std::string::npos);
  EXPECT_FALSE(decode_ack(encode_frame(Frame{}), &why));
  EXPECT_EQ(why, "ack: wrong magic");
  EXPECT_FALSE(decode_ack(encode_ack(Ack{}) + "x", &why));
  EXPECT_EQ(why, "ack: 22 bytes (expected 21)");
  EXPECT_FALSE(decode_frame(encode_ack(Ack{}), &why));  // an ack is not a frame
}

}  // namespace
}  // namespace vfo::runtime
